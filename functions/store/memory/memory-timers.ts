import type { WakeUp } from "../../engine/model.ts";
import type { DueWakeUps, TimerStore } from "../../runtime/ports.ts";
import { parseInstant } from "../../shared/time.ts";
import { TimeQueue } from "../../shared/time-queue.ts";
import { WakeUpLender } from "./wake-up-lender.ts";

type TimerItem = { at: number; order: number; wakeUp: WakeUp };

/**
 * Wake-ups in process memory, a min-heap by due time: the in-memory store's timers, and the simulator's
 * index of the wake-ups it wrote to a DynamoDB table of its own (functions/simulator/timer-index.ts).
 */
export class MemoryTimers implements TimerStore {
  private readonly heap = new TimeQueue<TimerItem>();
  /** Wake-ups read by `dueWakeUps` and not yet taken by its `done`. */
  private readonly lender = new WakeUpLender<TimerItem>((item) => this.heap.push(item));
  /** Breaks ties between timers due together: first scheduled, first fired, the same in every run. */
  private scheduled = 0;
  /** The campaign occurrences pending (see scheduleWakeUp), until taken. */
  private readonly occurrences = new Set<string>();

  /**
   * Stores a wake-up. The same wake-up scheduled twice (a retried step) fires twice, and the second
   * finds its run moved on and changes nothing: cheaper here than remembering every timer's id. A
   * campaign's occurrence is kept once, as DynamoDB keeps one timer item per key: each fan-out arms the
   * next occurrence, so a fan-out delivered twice would otherwise double every occurrence after it.
   */
  scheduleWakeUp(wakeUp: WakeUp): void {
    if (wakeUp.kind === "occurrence") {
      const key = occurrenceKey(wakeUp);
      if (this.occurrences.has(key)) return;
      this.occurrences.add(key);
    }
    // Through the instants' memo: a wake-up's time was formatted by the decision that set it (time.ts).
    this.heap.push({ at: parseInstant(wakeUp.at) ?? Number.NaN, order: this.scheduled++, wakeUp });
  }

  /**
   * The due wake-ups are popped off the heap and lent out: `done` keeps the first `count` taken, and the
   * next read puts back whatever a lease did not take (its tick died, or stopped), in their first order.
   */
  async dueWakeUps(until: number, limit: number): Promise<DueWakeUps> {
    this.lender.returnLent();
    return this.lender.lend(this.popDue(until, limit));
  }

  /** `dueWakeUps` and `done` of all in one, at once: nothing is lent. */
  takeDueWakeUps(until: number, limit: number): WakeUp[] {
    this.lender.returnLent();
    return this.popDue(until, limit).map((item) => item.wakeUp);
  }

  nextWakeUpAt(): number | undefined {
    this.lender.returnLent();
    return this.heap.peek()?.at;
  }

  /** Takes up to `limit` items due by `until` off the heap, earliest first. */
  private popDue(until: number, limit: number): TimerItem[] {
    const due: TimerItem[] = [];
    while (due.length < limit && (this.heap.peek()?.at ?? Number.POSITIVE_INFINITY) <= until) {
      const top = this.heap.pop();
      if (top === undefined) break;
      if (top.wakeUp.kind === "occurrence") this.occurrences.delete(occurrenceKey(top.wakeUp));
      due.push(top);
    }
    return due;
  }

  /** How many wake-ups are pending (lent ones included). */
  get pending(): number {
    return this.heap.size + this.lender.size;
  }
}

const occurrenceKey = (wakeUp: Extract<WakeUp, { kind: "occurrence" }>) =>
  `${wakeUp.journeyId}\u0000${wakeUp.at}\u0000${wakeUp.occurrence}`;

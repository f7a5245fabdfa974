import type { WakeUp } from "../../engine/model.ts";
import type { DueWakeUps } from "../../runtime/ports.ts";

/**
 * The lease behind `dueWakeUps` when the wake-ups are in process memory (MemoryTimers): the items taken
 * off the heap are lent until `done` takes the first `count`; `returnLent` puts back what a lease did not
 * take (its tick died, or stopped).
 */
export class WakeUpLender<T extends { wakeUp: WakeUp }> {
  private lent: T[] = [];

  constructor(private readonly putBack: (item: T) => void) {}

  /** Wake-ups lent and not taken yet. */
  get size(): number {
    return this.lent.length;
  }

  /** Lends items the caller took off its store; the lease before it is over. */
  lend(items: T[]): DueWakeUps {
    this.lent = items;
    return {
      wakeUps: items.map((item) => item.wakeUp),
      done: async (count = items.length) => {
        if (this.lent !== items) return false;
        this.lent = items.slice(count);
        return true;
      },
    };
  }

  returnLent(): void {
    const lent = this.lent;
    if (lent.length === 0) return; // mostly: every read of the next due time asks
    this.lent = [];
    for (const item of lent) this.putBack(item);
  }
}

import type { WakeUp } from "../engine/model.ts";
import type { DueWakeUps } from "./ports.ts";

/**
 * The lease behind a store's `dueWakeUps` when its wake-ups are in process memory (the in-memory store, the
 * DynamoDB store's index of a private table): the items taken off the store are lent until `done` takes
 * the first `count`; `returnLent` puts back what a lease did not take (its tick died, or stopped).
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
    this.lent = [];
    for (const item of lent) this.putBack(item);
  }
}

import type { ShopEvent } from "../../../events/catalog.ts";
import { MinHeap } from "../../shared/min-heap.ts";

/** One item of the stream, in delivery order. */
export interface SyntheticEvent {
  event: ShopEvent;
  /** Set on the few events broken on purpose: what is wrong with it. Undefined: the event is valid. */
  flaw?: string;
  /** A second delivery of an event already in the stream (the same id and content). */
  duplicate?: boolean;
  /** Delivered late: events that happened after it come before it in the stream. */
  delayed?: boolean;
}

type Pending = { at: number; seq: number; item: SyntheticEvent };

/** Pending deliveries by (delivery time, scheduling order): a total order, so ties come out the same every run. */
export class DeliveryQueue {
  private readonly heap = new MinHeap<Pending>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private seq = 0;

  get size(): number {
    return this.heap.size;
  }

  /** The delivery time of the next item, or +Infinity. */
  nextAt(): number {
    return this.heap.peek()?.at ?? Number.POSITIVE_INFINITY;
  }

  push(at: number, item: SyntheticEvent): void {
    this.heap.push({ at, seq: this.seq++, item });
  }

  pop(): SyntheticEvent | undefined {
    return this.heap.pop()?.item;
  }
}

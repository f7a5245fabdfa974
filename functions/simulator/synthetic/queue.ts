import type { ShopEvent } from "../../../events/catalog.ts";

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

/** Pending deliveries, a binary min-heap by (delivery time, scheduling order): deterministic ties. */
export class DeliveryQueue {
  private readonly heap: { at: number; seq: number; item: SyntheticEvent }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The delivery time of the next item, or +Infinity. */
  nextAt(): number {
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  push(at: number, item: SyntheticEvent): void {
    const heap = this.heap;
    const entry = { at, seq: this.seq++, item };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p === undefined || p.at < at || (p.at === at && p.seq < entry.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  pop(): SyntheticEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top?.item;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let child = l;
      const left = heap[l];
      const right = heap[l + 1];
      if (left === undefined) break;
      let best = left;
      if (right !== undefined && (right.at < left.at || (right.at === left.at && right.seq < left.seq))) {
        child = l + 1;
        best = right;
      }
      if (last.at < best.at || (last.at === best.at && last.seq < best.seq)) break;
      heap[i] = best;
      i = child;
    }
    heap[i] = last;
    return top.item;
  }
}

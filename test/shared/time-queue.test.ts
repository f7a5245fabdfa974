import { describe, expect, it } from "vitest";
import { MinHeap } from "../../functions/shared/min-heap.ts";
import { TimeQueue } from "../../functions/shared/time-queue.ts";

describe("TimeQueue", () => {
  it("pops by time, then by order, as MinHeap with that comparison does", () => {
    // Prepare: times with many repeats, pushed and popped in turns, past the first growth of its arrays.
    type Item = { at: number; order: number };
    const queue = new TimeQueue<Item>();
    const heap = new MinHeap<Item>((a, b) => a.at < b.at || (a.at === b.at && a.order < b.order));
    const fromQueue: Item[] = [];
    const fromHeap: Item[] = [];
    // Act
    for (let order = 0; order < 5000; order++) {
      const item = { at: 1_790_000_000_000 + ((order * 7919) % 613) * 60_000, order };
      queue.push(item);
      heap.push(item);
      if (order % 3 === 0) {
        fromQueue.push(queue.pop() as Item);
        fromHeap.push(heap.pop() as Item);
      }
    }
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) fromQueue.push(item);
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) fromHeap.push(item);
    // Assess
    expect(fromQueue).toEqual(fromHeap);
    expect(fromQueue).toHaveLength(5000);
    expect(queue.size).toBe(0);
    expect(queue.peek()).toBeUndefined();
  });
});

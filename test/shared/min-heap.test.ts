import { describe, expect, it } from "vitest";
import { MinHeap } from "../../functions/shared/min-heap.ts";

describe("MinHeap", () => {
  it("pops items in order, whatever order they were pushed in", () => {
    // Prepare: a deterministic shuffle of 0..999 with repeats.
    const heap = new MinHeap<number>((a, b) => a < b);
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 613);
    for (const value of values) heap.push(value);
    // Act
    const popped: number[] = [];
    for (let value = heap.pop(); value !== undefined; value = heap.pop()) popped.push(value);
    // Assess
    expect(popped).toEqual([...values].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });
});

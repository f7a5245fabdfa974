import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalQueue } from "../../functions/local/local-queue.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");

/** A queue on a virtual clock and a real clock the test moves, its journal in a fresh folder. */
function queues(options: { maxReceiveCount?: number; journalPath?: string } = {}) {
  const clock = { now: T0, real: 1_000_000 };
  const base = { clock: () => clock.now, realClock: () => clock.real, visibilityTimeoutMs: 10_000 };
  const deadLetter = new LocalQueue({ ...base, name: "dead" });
  const queue = new LocalQueue({ ...base, name: "work", deadLetter, ...options });
  return { clock, queue, deadLetter, reopen: () => new LocalQueue({ ...base, name: "work", deadLetter, ...options }) };
}

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);

describe("local queue", () => {
  it("holds a delayed message until its delay has passed on the virtual clock", () => {
    // Prepare
    const { clock, queue } = queues();
    queue.send([{ body: "now" }, { body: "in 60 s", delaySeconds: 60 }]);
    // Act
    const first = queue.receive(10);
    clock.now += 59_000;
    const early = queue.receive(10);
    clock.now += 1_000;
    const due = queue.receive(10);
    // Assess
    expect(bodies(first)).toEqual(["now"]);
    expect(early).toEqual([]);
    expect(bodies(due)).toEqual(["in 60 s"]);
  });

  it("delivers a message received and not deleted again after the visibility timeout, its receive count raised", () => {
    // Prepare
    const { clock, queue } = queues();
    queue.send([{ body: "a" }, { body: "b" }]);
    const [a, b] = queue.receive(10);
    queue.delete([b?.id ?? ""]);
    // Act
    const hidden = queue.receive(10);
    clock.real += 10_000;
    const again = queue.receive(10);
    // Assess
    expect(hidden).toEqual([]);
    expect(again.map((m) => [m.id, m.body, m.receiveCount])).toEqual([[a?.id, "a", 2]]);
  });

  it("keeps a message in hand hidden for another visibility timeout, unless it was received again since", () => {
    // Prepare
    const { clock, queue } = queues();
    queue.send([{ body: "a" }, { body: "b" }]);
    const inHand = queue.receive(10);
    clock.real += 8_000;
    queue.keepHidden(inHand);
    // Act: 16 s after the receive, 8 s after the heartbeat; then past the second timeout, "b" received again
    clock.real += 8_000;
    const during = queue.receive(10);
    clock.real += 2_000;
    const after = queue.receive(10);
    queue.keepHidden(inHand); // the first receive's "a" and "b": both received again since
    clock.real += 10_000;
    const third = queue.receive(10);
    // Assess
    expect(during).toEqual([]);
    expect(bodies(after)).toEqual(["a", "b"]);
    expect(third.map((m) => [m.body, m.receiveCount])).toEqual([
      ["a", 3],
      ["b", 3],
    ]);
  });

  it("moves a message to the dead-letter queue after maxReceiveCount receives", () => {
    // Prepare
    const { clock, queue, deadLetter } = queues({ maxReceiveCount: 2 });
    queue.send([{ body: "poison", attributes: { kind: { DataType: "String", StringValue: "x" } } }]);
    // Act
    const receives = [1, 2, 3].map(() => {
      const got = queue.receive(10);
      clock.real += 10_000;
      return got.length;
    });
    // Assess
    expect(receives).toEqual([1, 1, 0]);
    expect(queue.size).toBe(0);
    expect(deadLetter.peek().map((m) => [m.body, m.attributes])).toEqual([
      ["poison", { kind: { DataType: "String", StringValue: "x" } }],
    ]);
  });

  it("keeps what was sent and not deleted across a restart, receive counts and delays included", () => {
    // Prepare
    const journalPath = join(mkdtempSync(join(tmpdir(), "nudge-queue-")), "work.ndjson");
    const { clock, queue, reopen } = queues({ journalPath, maxReceiveCount: 5 });
    queue.send([{ body: "done" }, { body: "in flight" }, { body: "later", delaySeconds: 300 }]);
    const [done] = queue.receive(2);
    queue.delete([done?.id ?? ""]);
    // Act: a new process opens the journal (what was in flight is visible again at once).
    const reopened = reopen();
    const now = reopened.receive(10);
    clock.now += 300_000;
    const later = reopened.receive(10);
    const again = reopen();
    // Assess
    expect(now.map((m) => [m.body, m.receiveCount])).toEqual([["in flight", 2]]);
    expect(bodies(later)).toEqual(["later"]);
    expect(again.peek().map((m) => [m.body, m.receiveCount])).toEqual([
      ["in flight", 2],
      ["later", 1],
    ]);
  });
});

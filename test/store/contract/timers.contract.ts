import { describe, expect, it } from "vitest";
import type { WakeUp } from "../../../functions/engine/model.ts";
import type { OpenStore } from "./contract.ts";
import { inactivityWakeUp, MINUTE, runWakeUp, sorted, T0 } from "./fixtures.ts";

const keysOf = (wakeUps: readonly WakeUp[]) => wakeUps.map((w) => w.key);
const byId = (w: WakeUp) => `${w.journeyId} ${w.key} ${w.kind}`;

/**
 * The latest an adapter may hand out a wake-up that was overdue (or due within minutes) when scheduled:
 * the DynamoDB store on a shared table writes it to be taken no sooner than its clock plus the tick's
 * lookahead (5 minutes) plus the settle time (1 minute), so that no take has passed its key (its
 * README.md, "Nothing is written behind the cursor"); the in-memory store hands it out at once.
 */
const OVERDUE_LATEST_MS = 6 * MINUTE;

/**
 * Timers (TimerStore). A tick on the clock `now` takes what is due by `until = now`: the DynamoDB store
 * never hands out beyond its clock plus its lookahead, so the tests move the clock with `until`, as the
 * tick does. Wake-ups are scheduled six minutes or more ahead of the clock (the store's clock starts at
 * 09:54, the wake-ups fall due from 10:00), where both adapters hand each out at its due time.
 *
 * Weaker promises where the adapters differ (the port's comments allow both):
 * - the same wake-up scheduled twice fires once (DynamoDB: the same item) or twice (memory): a repeat is stale;
 * - wake-ups due at the same instant come out in any order (memory: as scheduled; DynamoDB: by journey and key);
 * - an overdue wake-up comes out within OVERDUE_LATEST_MS of its scheduling (see above);
 * - `nextWakeUpAt` on DynamoDB's shared table looks an hour past the tick's cursor: the tests stay within it.
 */
/** A store whose clock stands at 09:54, six minutes before the wake-ups fall due (see above). */
const openAhead = (open: OpenStore) => open(T0 - 6 * MINUTE);

export function timerContract(open: OpenStore): void {
  takeTests(open);
  takeEdgeTests(open);
  dueTests(open);
  nextTests(open);
}

function takeTests(open: OpenStore): void {
  describe("TimerStore: taking due wake-ups", () => {
    it("hands out what is due, earliest first, up to the limit, each once, nothing before it is due", async () => {
      // Prepare: five wake-ups over forty minutes, scheduled out of order.
      const { store, clock } = await openAhead(open);
      const due = [10_000, 20_000, 2 * MINUTE, 3 * MINUTE, 40 * MINUTE];
      for (const offset of [...due].reverse()) await store.scheduleWakeUp(runWakeUp(`u${offset}`, T0 + offset));
      // Act: ticks at 10:03 (two, then the rest due), again at 10:03, then at 10:40.
      clock.now = T0 + 3 * MINUTE;
      const first = await store.takeDueWakeUps(clock.now, 2);
      const rest = await store.takeDueWakeUps(clock.now, 10);
      const again = await store.takeDueWakeUps(clock.now, 10);
      clock.now = T0 + 40 * MINUTE;
      const last = await store.takeDueWakeUps(clock.now, 10);
      // Assess
      expect(keysOf(first)).toEqual(["u10000", "u20000"]);
      expect(keysOf(rest)).toEqual([`u${2 * MINUTE}`, `u${3 * MINUTE}`]);
      expect(again).toEqual([]);
      expect(last).toEqual([runWakeUp(`u${40 * MINUTE}`, T0 + 40 * MINUTE)]);
      expect(await store.takeDueWakeUps(clock.now, 10)).toEqual([]);
    });

    it("hands out a run's and an inactivity wake-up due together, whole, whatever their order", async () => {
      // Prepare: one user's welcome wait and dormancy clock, due at the same instant; one held while paused.
      const { store, clock } = await openAhead(open);
      const held = { ...runWakeUp("u2", T0 + MINUTE, 4), heldAt: "2026-11-01T09:30:00Z" };
      const wakeUps = [runWakeUp("u1", T0 + MINUTE), inactivityWakeUp("u1", T0 + MINUTE), held];
      for (const wakeUp of wakeUps) await store.scheduleWakeUp(wakeUp);
      // Act
      clock.now = T0 + MINUTE;
      const taken = await store.takeDueWakeUps(clock.now, 10);
      // Assess
      expect(sorted(taken, byId)).toEqual(sorted(wakeUps, byId));
    });
  });
}

function takeEdgeTests(open: OpenStore): void {
  describe("TimerStore: repeated, overdue and no wake-ups", () => {
    it("hands out a wake-up scheduled twice at least once and at most twice", async () => {
      // Prepare
      const { store, clock } = await openAhead(open);
      await store.scheduleWakeUp(runWakeUp("u1", T0));
      await store.scheduleWakeUp(runWakeUp("u1", T0));
      // Act
      clock.now = T0 + MINUTE;
      const taken = await store.takeDueWakeUps(clock.now, 10);
      // Assess
      expect(taken.length).toBeGreaterThanOrEqual(1);
      expect(taken.length).toBeLessThanOrEqual(2);
      expect(new Set(taken.map((w) => JSON.stringify(w)))).toEqual(new Set([JSON.stringify(runWakeUp("u1", T0))]));
    });

    it("hands out a wake-up overdue when scheduled by the clock's lookahead and settle time, with its own due time", async () => {
      // Prepare: a late event at 10:00 sets a wake-up due at 09:59.
      const { store, clock } = await open(T0);
      const overdue = runWakeUp("u1", T0 - MINUTE);
      await store.scheduleWakeUp(overdue);
      // Act
      clock.now = T0 + OVERDUE_LATEST_MS;
      const taken = await store.takeDueWakeUps(clock.now, 10);
      // Assess
      expect(taken).toEqual([overdue]);
    });

    it("hands out nothing for a limit of 0, and nothing when nothing was ever scheduled", async () => {
      // Prepare
      const { store, clock } = await openAhead(open);
      const empty = await store.takeDueWakeUps(T0, 10);
      await store.scheduleWakeUp(runWakeUp("u1", T0));
      // Act
      clock.now = T0 + MINUTE;
      const none = await store.takeDueWakeUps(clock.now, 0);
      // Assess
      expect([empty, none]).toEqual([[], []]);
      expect(await store.takeDueWakeUps(clock.now, 10)).toEqual([runWakeUp("u1", T0)]);
    });
  });
}

function dueTests(open: OpenStore): void {
  describe("TimerStore: reading due wake-ups without taking them", () => {
    it("leaves what a tick read due until it says it handed it on, so a tick that dies strands nothing", async () => {
      // Prepare: three wake-ups due by 10:10.
      const { store, clock } = await openAhead(open);
      const wakeUps = [
        runWakeUp("u1", T0 + 6 * MINUTE),
        runWakeUp("u2", T0 + 7 * MINUTE),
        runWakeUp("u3", T0 + 8 * MINUTE),
      ];
      for (const wakeUp of wakeUps) await store.scheduleWakeUp(wakeUp);
      clock.now = T0 + 10 * MINUTE;
      // Act: one tick reads and dies; the next reads the same, hands on two and says so; a third reads.
      const died = await store.dueWakeUps(clock.now, 10);
      const next = await store.dueWakeUps(clock.now, 10);
      const taken = await next.done(2);
      const last = await store.dueWakeUps(clock.now, 10);
      // Assess: the dead tick's lease is over (another tick took them).
      expect(died.wakeUps).toEqual(wakeUps);
      expect(next.wakeUps).toEqual(wakeUps);
      expect(taken).toBe(true);
      expect(last.wakeUps).toEqual(wakeUps.slice(2));
      expect(await died.done()).toBe(false);
    });

    it("takes every wake-up read with done(), and reads up to the limit, earliest first", async () => {
      // Prepare
      const { store, clock } = await openAhead(open);
      for (const key of ["u3", "u1", "u2"]) await store.scheduleWakeUp(runWakeUp(key, T0 + Number(key[1]) * MINUTE));
      clock.now = T0 + 5 * MINUTE;
      // Act
      const read = await store.dueWakeUps(clock.now, 2);
      const done = await read.done();
      const after = await store.dueWakeUps(clock.now, 10);
      // Assess
      expect(keysOf(read.wakeUps)).toEqual(["u1", "u2"]);
      expect(done).toBe(true);
      expect(keysOf(after.wakeUps)).toEqual(["u3"]);
    });
  });
}

function nextTests(open: OpenStore): void {
  describe("TimerStore: the next wake-up", () => {
    it("tells the due time of the earliest pending wake-up, read or not, until it is taken", async () => {
      // Prepare
      const { store, clock } = await openAhead(open);
      const nothing = await store.nextWakeUpAt();
      for (const offset of [30, 5, 12]) await store.scheduleWakeUp(runWakeUp(`u${offset}`, T0 + offset * MINUTE));
      // Act
      const first = await store.nextWakeUpAt();
      clock.now = T0 + 5 * MINUTE;
      await store.dueWakeUps(clock.now, 10); // read, never done: still pending
      const afterRead = await store.nextWakeUpAt();
      await store.takeDueWakeUps(clock.now, 10);
      const afterTake = await store.nextWakeUpAt();
      // Assess
      expect(nothing).toBeUndefined();
      expect(first).toBe(T0 + 5 * MINUTE);
      expect(afterRead).toBe(T0 + 5 * MINUTE);
      expect(afterTake).toBe(T0 + 12 * MINUTE);
    });
  });
}

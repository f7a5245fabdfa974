import { describe, expect, it } from "vitest";
import type { WakeUp } from "../../../functions/engine/model.ts";
import { ConcurrencyError } from "../../../functions/shared/errors.ts";
import type { OpenStore } from "./contract.ts";
import { control, failure, inactivityWakeUp, MINUTE, runWakeUp, sorted, T0 } from "./fixtures.ts";

const CONSISTENT = { consistent: true } as const;
const byJourney = (c: { value: { journeyId: string } }) => c.value.journeyId;
const byId = (w: WakeUp) => `${w.journeyId} ${w.key} ${w.kind} ${w.at}`;

/** The control port (ControlStore, functions/runtime/control-cache.ts): pause and resume, and the wake-ups held meanwhile. */
export function controlContract(open: OpenStore): void {
  controlTests(open);
  heldWakeUpTests(open);
}

function controlTests(open: OpenStore): void {
  describe("ControlStore: journey controls", () => {
    it("reads no controls before any journey is paused, then each journey's latest", async () => {
      // Prepare
      const { store } = await open();
      const none = await store.getControls(CONSISTENT);
      // Act
      const paused = await store.setControl(control("welcome", true), undefined);
      const resumed = await store.setControl(control("welcome", false, { since: "2026-11-01T11:00:00Z" }), paused);
      await store.setControl(control("win-back", true, { by: "guardrail", reason: "guardrail:x 5 > 3" }), undefined);
      // Assess: no order is promised.
      expect(none).toEqual([]);
      expect([paused, resumed]).toEqual([1, 2]);
      expect(sorted(await store.getControls(CONSISTENT), byJourney)).toEqual([
        { value: control("welcome", false, { since: "2026-11-01T11:00:00Z" }), revision: 2 },
        { value: control("win-back", true, { by: "guardrail", reason: "guardrail:x 5 > 3" }), revision: 1 },
      ]);
    });

    it("refuses a stale or duplicate control, and lets one of two guardrail checks that race pause", async () => {
      // Prepare
      const { store } = await open();
      await store.setControl(control("welcome", true), undefined);
      // Act
      const duplicate = await failure(store.setControl(control("welcome", false), undefined));
      const stale = await failure(store.setControl(control("welcome", false), 5));
      const race = await Promise.allSettled([
        store.setControl(control("win-back", true, { by: "guardrail" }), undefined),
        store.setControl(control("win-back", true, { by: "guardrail" }), undefined),
      ]);
      // Assess
      expect(duplicate).toBeInstanceOf(ConcurrencyError);
      expect(stale).toBeInstanceOf(ConcurrencyError);
      expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(race.find((r) => r.status === "rejected")).toMatchObject({ reason: expect.any(ConcurrencyError) });
      const controls = sorted(await store.getControls(CONSISTENT), byJourney);
      expect(controls.map((c) => [c.value.journeyId, c.value.paused, c.revision])).toEqual([
        ["welcome", true, 1],
        ["win-back", true, 1],
      ]);
    });
  });
}

function heldWakeUpTests(open: OpenStore): void {
  describe("ControlStore: wake-ups held while a journey is paused", () => {
    it("keeps each held wake-up once, per journey, until released", async () => {
      // Prepare: three wake-ups of welcome fall due while it is paused, one held twice (a redelivery).
      const { store } = await open();
      const held = [
        runWakeUp("u1", T0),
        runWakeUp("u2", T0 + MINUTE, 3),
        { ...runWakeUp("u3", T0 + 2 * MINUTE), heldAt: "2026-11-01T09:00:00Z" },
      ];
      const other = inactivityWakeUp("u1", T0);
      // Act
      for (const wakeUp of [...held, held[0] as WakeUp, other]) await store.holdWakeUp(wakeUp);
      const listed = await store.listHeldWakeUps("welcome", 10);
      await store.releaseHeldWakeUps(listed.slice(0, 2));
      const left = await store.listHeldWakeUps("welcome", 10);
      // Assess: no order is promised.
      expect(sorted(listed, byId)).toEqual(sorted(held, byId));
      expect(left).toHaveLength(1);
      expect(held.map(byId)).toContain(byId(left[0] as WakeUp));
      expect(await store.listHeldWakeUps("dormancy-reactivation", 10)).toEqual([other]);
      expect(await store.listHeldWakeUps("win-back", 10)).toEqual([]);
    });

    it("lists at most `limit` held wake-ups, so resuming hands them back a batch at a time", async () => {
      // Prepare
      const { store } = await open();
      const held = Array.from({ length: 12 }, (_, i) => runWakeUp(`u${i}`, T0 + i * MINUTE));
      for (const wakeUp of held) await store.holdWakeUp(wakeUp);
      // Act: list and release in batches of 5, as the tick does.
      const batches: WakeUp[][] = [];
      for (let batch = await store.listHeldWakeUps("welcome", 5); batch.length > 0; ) {
        batches.push(batch);
        await store.releaseHeldWakeUps(batch);
        batch = await store.listHeldWakeUps("welcome", 5);
      }
      // Assess
      expect(batches.map((batch) => batch.length)).toEqual([5, 5, 2]);
      expect(sorted(batches.flat(), byId)).toEqual(sorted(held, byId));
    });
  });
}

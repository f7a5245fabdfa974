import { describe, expect, it } from "vitest";
import type { StatsCounter } from "../../../functions/engine/model.ts";
import type { OpenStore } from "./contract.ts";
import { counter, sorted } from "./fixtures.ts";

const byCounter = (c: StatsCounter) => `${c.day} ${c.hour ?? ""} ${c.version} ${c.name}`;

/** Journey statistics (StatsStore): sums per journey, version, day and counter name; no order promised. */
export function statsContract(open: OpenStore): void {
  statsTests(open);
}

function statsTests(open: OpenStore): void {
  describe("StatsStore: journey statistics", () => {
    it("sums the counters added per day, version and name, for the days asked, inclusive", async () => {
      // Prepare
      const { store } = await open();
      // Act: ten entries one at a time, as ten batches would; coupon value with cents; days around the range.
      for (let i = 0; i < 10; i++) await store.addStats([counter("2026-11-01", "entered", 1)]);
      await store.addStats([counter("2026-11-01", "coupon.value", 5.5), counter("2026-11-02", "coupon.value", 4.5)]);
      await store.addStats([counter("2026-11-02", "entered", 2, { version: 2 }), counter("2026-11-05", "entered", 1)]);
      await store.addStats([
        counter("2026-10-31", "entered", 1),
        counter("2026-11-01", "entered", 7, { journeyId: "x" }),
      ]);
      await store.addStats([]);
      const stats = await store.readStats("welcome", "2026-11-01", "2026-11-02");
      // Assess
      expect(sorted(stats, byCounter)).toEqual([
        counter("2026-11-01", "coupon.value", 5.5),
        counter("2026-11-01", "entered", 10),
        counter("2026-11-02", "coupon.value", 4.5),
        counter("2026-11-02", "entered", 2, { version: 2 }),
      ]);
    });

    it("adds many counters of one call, repeats of a name included, and reads a day alone", async () => {
      // Prepare
      const { store } = await open();
      const names = ["entered", "message.sent", "message.sent.push", "coupon.issued", "message.suppressed.capped"];
      // Act
      await store.addStats([
        ...names.map((name) => counter("2026-11-01", name, 1)),
        ...names.map((name) => counter("2026-11-01", name, 2)),
      ]);
      const day = await store.readStats("welcome", "2026-11-01", "2026-11-01");
      // Assess
      expect(sorted(day, byCounter)).toEqual(
        sorted(
          names.map((name) => counter("2026-11-01", name, 3)),
          byCounter,
        ),
      );
      expect(await store.readStats("welcome", "2026-11-02", "2026-11-30")).toEqual([]);
      expect(await store.readStats("nobody", "2026-11-01", "2026-11-01")).toEqual([]);
    });

    it("keeps hour counters apart from the day's: each read returns its own, summed per hour", async () => {
      // Prepare: a journey that keeps hours adds each counter to its day and to its hour.
      const { store } = await open();
      const hour = (day: string, h: string, name: string, amount: number) => ({
        ...counter(day, name, amount),
        hour: h,
      });
      // Act
      await store.addStats([counter("2026-11-11", "entered", 3), hour("2026-11-11", "02", "entered", 1)]);
      await store.addStats([hour("2026-11-11", "02", "entered", 1), hour("2026-11-11", "10", "entered", 1)]);
      await store.addStats([hour("2026-11-12", "00", "entered", 4), hour("2026-11-12", "00", "entered", 1)]);
      const days = await store.readStats("welcome", "2026-11-11", "2026-11-12");
      const hours = await store.readHourlyStats("welcome", "2026-11-11", "2026-11-11");
      // Assess
      expect(days).toEqual([counter("2026-11-11", "entered", 3)]);
      expect(sorted(hours, byCounter)).toEqual([
        hour("2026-11-11", "02", "entered", 2),
        hour("2026-11-11", "10", "entered", 1),
      ]);
      expect(await store.readHourlyStats("welcome", "2026-11-12", "2026-11-12")).toEqual([
        hour("2026-11-12", "00", "entered", 5),
      ]);
    });
  });
}

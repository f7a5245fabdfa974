import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportTable } from "../../functions/cli/demo.ts";
import { runDemo } from "../../functions/local/demo.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { generateShop } from "../../functions/simulator/synthetic/index.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";

describe("demo", () => {
  it("drives a synthetic shop through the local platform over its endpoint and reports per journey", async () => {
    // Prepare: 20 users over 2 days, in about 2 seconds.
    const dir = join(mkdtempSync(join(tmpdir(), "nudge-demo-")), "demo");
    // Act
    const result = await runDemo({ dir, journeys: loadSeedJourneys(), users: 20, days: 2, seconds: 2 });
    // Assess
    const byId = new Map(result.reports.map((report) => [report.journey, report]));
    // One line per journey deployed, whatever its versions (dormancy-reactivation keeps version 1's file).
    const journeyIds = [...new Set(loadSeedJourneys().map((journey) => journey.id))].sort();
    expect(journeyIds).toEqual(expect.arrayContaining(["new-user-coupon", "onboarding-guide"]));
    expect(result.reports.map((report) => report.journey).sort()).toEqual(journeyIds);
    const welcome = byId.get("new-user-coupon");
    expect(welcome).toMatchObject({ entered: 20, couponsIssued: 20 });
    // The clock runs 86,400 times real time: whether a user who unsubscribes during the demo (u_000001, on the
    // second day) does so before or after a welcome the quiet hours deferred depends on how far the machine's
    // load lets the platform fall behind the clock. Any message held back is such a user's, for that reason.
    const full = new Map(result.report.journeys.map((report) => [report.journeyId, report]));
    const suppressed = full.get("new-user-coupon")?.messages.suppressed ?? {};
    expect(Object.keys(suppressed).filter((reason) => reason !== "unsubscribed")).toEqual([]);
    expect(welcome?.suppressed).toBeLessThanOrEqual(unsubscribedDuringTheDemo());
    // A welcome due at night waits for 09:00; the last night's may still wait when the demo ends.
    expect(welcome?.messages).toBeGreaterThan(0);
    expect((welcome?.messages ?? 0) + (welcome?.deferred ?? 0)).toBeGreaterThanOrEqual(40);
    expect(byId.get("onboarding-guide")?.deferred).toBeGreaterThan(0);
    expect(result.published).toBeGreaterThanOrEqual(20);
    expect(readOutbox(result.outboxPath)).toHaveLength(result.messages);
    // The journey's messages are its welcome pushes and its coupon pop-ups, which go at once (none waits).
    const popups = readOutbox(result.outboxPath).filter((line) => line.template === "welcome-coupon-popup").length;
    expect(popups).toBe(20);
    // The virtual clock runs on while the report is read: a welcome held for the morning may go meanwhile.
    expect(result.latenciesMs.length).toBeGreaterThanOrEqual((welcome?.messages ?? 41) - popups);
    expect(result.latenciesMs.length).toBeLessThanOrEqual(20);
    // The `nudge report` of each journey (the HTML page's figures) agrees with the table's counters.
    expect([...full.keys()]).toEqual([...byId.keys()].sort());
    expect(full.get("new-user-coupon")?.funnel.slice(0, 2)).toEqual([
      { label: "entered", count: 20 },
      { label: "step issue-welcome-coupon", stepId: "issue-welcome-coupon", count: 20 },
    ]);
    expect(full.get("new-user-coupon")?.messages.sent).toBe(welcome?.messages);
    const table = reportTable(result.reports).split("\n");
    expect(table[0]).toMatch(
      /^journey\s+entered\s+holdout\s+messages\s+deferred\s+held back\s+coupons\s+redeemed\s+exits\s+goals\s+rate$/,
    );
    expect(table.find((line) => line.startsWith("new-user-coupon"))).toMatch(
      new RegExp(
        `^new-user-coupon\\s+20\\s+0\\s+${welcome?.messages}\\s+${welcome?.deferred}\\s+${welcome?.suppressed}\\s+20\\s`,
      ),
    );
  });
});

/** The users of the demo's shop (20 over 2 days, seed 1, as runDemo generates it) who unsubscribe in it. */
function unsubscribedDuringTheDemo(): number {
  const shop = generateShop({ users: 20, days: 2, start: "2026-11-01T00:00:00.000Z", seed: 1 });
  return [...shop].filter((item) => !item.duplicate && item.event["detail-type"] === "user.unsubscribed").length;
}

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportTable } from "../../functions/cli/demo.ts";
import { runDemo } from "../../functions/local/demo.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";

describe("demo", () => {
  it("drives a synthetic shop through the local platform over its endpoint and reports per journey", async () => {
    // Prepare: 20 users over 2 days, in about 2 seconds.
    const dir = join(mkdtempSync(join(tmpdir(), "nudge-demo-")), "demo");
    // Act
    const result = await runDemo({ dir, journeys: loadSeedJourneys(), users: 20, days: 2, seconds: 2 });
    // Assess
    const byId = new Map(result.reports.map((report) => [report.journey, report]));
    expect([...byId.keys()].sort()).toEqual([
      "coupon-expiry-nudge",
      "dormancy-reactivation",
      "new-user-coupon",
      "onboarding-guide",
      "post-promotion-review",
    ]);
    expect(byId.get("new-user-coupon")).toMatchObject({ entered: 20, messages: 20, couponsIssued: 20 });
    expect(byId.get("onboarding-guide")?.messages).toBeGreaterThanOrEqual(20);
    expect(result.published).toBeGreaterThanOrEqual(20);
    expect(readOutbox(result.outboxPath)).toHaveLength(result.messages);
    expect(result.latenciesMs).toHaveLength(20);
    const table = reportTable(result.reports).split("\n");
    expect(table[0]).toMatch(/^journey\s+entered\s+holdout\s+messages\s+coupons\s+redeemed\s+exits\s+goals\s+rate$/);
    expect(table.find((line) => line.startsWith("new-user-coupon"))).toMatch(/^new-user-coupon\s+20\s+0\s+20\s+20\s/);
  });
});

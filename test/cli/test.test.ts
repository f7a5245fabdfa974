import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testCommand } from "../../functions/cli/test.ts";
import { SHIPPED_JOURNEYS_CWD } from "../support/shipped-journeys.ts";
import { capture } from "./capture-io.ts";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A test file in a folder of its own, run against the shipped journeys. */
function testFile(test: object): string {
  const dir = mkdtempSync(join(tmpdir(), "nudge-test-"));
  folders.push(dir);
  const file = join(dir, "case.json");
  writeFileSync(file, JSON.stringify(test));
  return file;
}

const registered = (user: string, timezone: string, locale = "en") => ({
  at: "PT0S",
  type: "user.registered",
  user,
  detail: { locale, timezone },
});

describe("nudge test", () => {
  it("prints a failing case's expected and actual timelines side by side, and exits 1", async () => {
    // Prepare: a welcome expected at once, to a user for whom it is 02:00 (London's quiet hours)
    const file = testFile({
      journey: "new-user-coupon",
      start: "2026-11-02T02:00:00Z",
      cases: [
        {
          name: "the welcome goes out at once",
          given: [registered("ben", "Europe/London")],
          expect: [
            { at: "PT0S", user: "ben", type: "coupon.issued", amountOff: 20 },
            { at: "PT0S", user: "ben", type: "message.sent", template: "welcome" },
          ],
        },
      ],
    });
    const io = capture(SHIPPED_JOURNEYS_CWD);

    // Act
    const code = await testCommand([file], io);

    // Assess
    expect(code).toBe(1);
    expect(io.out.slice(1)).toEqual([
      "  FAIL  the welcome goes out at once",
      "      expected                               | actual",
      "                                              | +0:00      ben  journey.entered",
      "    ok +0:00      ben  coupon.issued 20 off   | +0:00      ben  coupon.issued 20 off",
      "                                              | +0:00      ben  message.sent inbox/welcome-coupon-popup",
      "                                              | +0:00      ben  message.deferred push/welcome quiet-hours",
      "    -- +0:00      ben  message.sent */welcome | (nothing)",
      "                                              | +7:00:10   ben  message.sent push/welcome",
      "                                              | +7:00:10   ben  journey.exited completed",
      "",
      "1 file, 1 case: 0 passed, 1 failed",
    ]);
  });

  it("marks a line a `never` forbids, and passes what is met", async () => {
    // Prepare
    const file = testFile({
      journey: "onboarding-guide",
      start: "2026-11-02T02:00:00Z",
      cases: [
        {
          name: "no guide within the first hour",
          given: [registered("ana", "Asia/Shanghai", "zh-CN")],
          expect: [{ user: "ana", type: "message.sent", template: "guide-3" }],
          never: [{ at: "PT0S", within: "PT6H", user: "ana", type: "message.sent" }],
          until: "P3D",
        },
      ],
    });
    const io = capture(SHIPPED_JOURNEYS_CWD);

    // Act
    const code = await testCommand([file, "--format", "json"], io);

    // Assess: guide 1 went out 4 hours in (after the welcome's per-channel cap), inside the forbidden 6 hours
    expect(code).toBe(1);
    const report = JSON.parse(io.out.join("\n"));
    expect(report).toMatchObject({ cases: 1, passed: 0, failed: 1, broken: 0 });
    const marks = report.files[0].result.cases[0].timeline.map(
      (row: { mark: string; actual?: { template?: string } }) => `${row.mark} ${row.actual?.template ?? ""}`.trim(),
    );
    expect(marks).toContain("unexpected guide-1");
    expect(marks).toContain("met guide-3");
  });

  it("refuses a test file with problems, with what and where", async () => {
    // Prepare
    const file = testFile({
      journey: "new-user-coupn",
      cases: [
        {
          name: "broken",
          given: [{ at: "PT0S", type: "order.placed", user: "ana", detail: { orderId: "o-1", amount: "99" } }],
        },
      ],
    });
    const io = capture(SHIPPED_JOURNEYS_CWD);

    // Act
    const code = await testCommand([file], io);

    // Assess
    expect(code).toBe(1);
    expect(io.out.join("\n")).toMatch(/problem: .*case\.json: journey: no journey "new-user-coupn" in the folder/);
    expect(io.out.at(-1)).toBe("1 file, 0 cases: 0 passed, 0 failed, 1 with problems");
  });

  it("reports events the catalog refuses, and a $coupon no journey issued, per event", async () => {
    // Prepare
    const file = testFile({
      journey: "coupon-expiry-nudge",
      cases: [
        {
          name: "a bad order",
          given: [{ at: "PT0S", type: "order.placed", user: "ana", detail: { orderId: "o-1", amount: "99" } }],
        },
        {
          name: "a redemption before any coupon",
          given: [
            { at: "PT0S", type: "coupon.redeemed", user: "ana", detail: { couponId: "$coupon", orderId: "o-1" } },
          ],
        },
      ],
    });
    const io = capture(SHIPPED_JOURNEYS_CWD);

    // Act
    const code = await testCommand([file], io);

    // Assess
    expect(code).toBe(1);
    const text = io.out.join("\n");
    expect(text).toContain("cases[0].given[0].detail.amount: expected a number");
    expect(text).toContain("cases[0].given[0].detail.currency:");
    expect(text).toContain('cases[1].given[0]: "$coupon": no coupon issued to ana before PT0S');
  });

  it("says so when there is no test to run", async () => {
    // Prepare: a journeys folder without tests/
    const dir = mkdtempSync(join(tmpdir(), "nudge-test-"));
    folders.push(dir);
    mkdirSync(join(dir, "journeys"));
    const io = capture(dir);

    // Act
    const code = await testCommand([], io);

    // Assess
    expect(code).toBe(1);
    expect(io.err).toEqual(["nudge test: no test files (looked in journeys/tests)"]);
  });
});

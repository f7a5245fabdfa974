import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../functions/cli/io.ts";
import { main } from "../../functions/cli/main.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { formatInstant } from "../../functions/shared/time.ts";
import { dormancyPromise, event, loadSeedJourneys } from "../scenarios/helpers.ts";
import { handedOnJournal } from "../support/journal.ts";
import { NO_POLICIES } from "../support/policies.ts";
import { SHIPPED_JOURNEYS_DIR } from "../support/shipped-journeys.ts";
import { until } from "../support/until.ts";
import { capture } from "./capture-io.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");
const DAY = 86_400_000;
const ago = (days: number) => formatInstant(T0 - days * DAY);
/** The shipped dormancy journey's idle time in days, as its file has it (30 as shipped). */
const { journey: DORMANCY, idleMs: IDLE_MS } = dormancyPromise();
const IDLE_DAYS = IDLE_MS / DAY;

const running: LocalPlatform[] = [];
afterEach(async () => {
  for (const platform of running.splice(0)) await platform.stop();
});

/**
 * A shop's history: u-a ordered twice (the last a day short of the dormancy idle time ago: 29 days as shipped)
 * and had a refund; u-b registered longer ago than the idle time (60 days as shipped).
 * Journey records written: the dormancy clocks of u-a (registration, two orders) and u-b, and the review
 * journey's memory of o-1's refund (a later delivery of o-1 must not start it).
 */
const HISTORY = [
  event("user.registered", ago(200), { userId: "u-a", locale: "zh-CN", timezone: "Asia/Shanghai" }),
  event("order.placed", ago(100), { userId: "u-a", orderId: "o-1", amount: 50, currency: "CNY" }),
  event("order.refunded", ago(90), { userId: "u-a", orderId: "o-1", amount: 30 }),
  event("order.placed", ago(IDLE_DAYS - 1), { userId: "u-a", orderId: "o-2", amount: 80, currency: "CNY" }),
  // The same order again, under another id (an export that overlaps): counted once.
  event(
    "order.placed",
    ago(IDLE_DAYS - 1),
    { userId: "u-a", orderId: "o-2", amount: 80, currency: "CNY" },
    "export-2/o-2",
  ),
  event("user.updated", ago(5), { userId: "u-a", attributes: { tier: "gold" } }),
  event("user.registered", ago(2 * IDLE_DAYS), { userId: "u-b", locale: "zh-CN", timezone: "Asia/Shanghai" }),
  event("order.placed", ago(3), { userId: "u-c", orderId: "o-3", currency: "CNY" }), // no amount: refused
];

describe("nudge import", () => {
  it("sets up profiles and inactivity clocks from history into the running local platform, and sends nothing", async () => {
    // Prepare: the local platform on a virtual clock, and the history file.
    const dir = mkdtempSync(join(tmpdir(), "nudge-import-"));
    const clock = { now: T0 };
    const platform = await startLocalPlatform({
      dir,
      journeys: loadSeedJourneys(),
      policies: NO_POLICIES,
      port: 0,
      clock: () => clock.now,
      tickEveryMs: 20,
    });
    running.push(platform);
    const file = join(dir, "history.ndjson");
    writeFileSync(file, `${HISTORY.join("\n")}\n`);
    const io = capture();
    const again = capture();
    // Act: imported twice (the second changes nothing), with the platform's journeys, then the platform runs on
    // for ten minutes.
    const args = ["import", file, "--dir", dir, "--now", formatInstant(T0), "--journeys", SHIPPED_JOURNEYS_DIR];
    const code = await main(args, io);
    const secondCode = await main(args, again);
    clock.now += 10 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 300)); // some ticks
    await platform.settled();
    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual([
      "line 8: not imported: event order.placed/u-c/o-3/2026-11-15T02:00:00Z: detail.amount: required field is missing",
    ]);
    expect(io.out).toEqual([
      `imported 7 events into ${dir} (the running platform): 6 profile updates, 5 journey records (inactivity clocks, exits); nothing sent`,
    ]);
    expect(secondCode).toBe(ExitCode.failed);
    expect(again.out[0]).toMatch(/: 0 profile updates, 0 journey records/);
    const a = (await platform.store.getProfile("u-a"))?.value;
    expect(a).toMatchObject({
      registeredAt: ago(200),
      orderCount: 2,
      totalSpent: 100,
      lastOrderAt: ago(IDLE_DAYS - 1),
      attributes: { tier: "gold" },
    });
    // Clocks: u-a's from the real last order; u-b's ran out before the import, so it counts from now.
    const clockOf = async (user: string) =>
      (await platform.store.getRecord(DORMANCY.id, user))?.value.inactivity?.dueAt;
    expect(await clockOf("u-a")).toBe(formatInstant(T0 + DAY));
    expect(await clockOf("u-b")).toBe(formatInstant(T0 + IDLE_MS));
    expect(readOutbox(platform.outboxPath)).toEqual([]);
    const seeds = loadSeedJourneys();
    const journalOf = (user: string) => handedOnJournal(platform.store, user, seeds);
    expect([...(await journalOf("u-a")), ...(await journalOf("u-b"))]).toEqual([]);
    // And the clock is a real timer of the platform: u-a turns dormant the idle time after the last order.
    clock.now = T0 + DAY + 10 * 60_000;
    let entered: string[] = [];
    await until(async () => {
      entered = (await journalOf("u-a"))
        .filter((entry) => entry.type === "journey.entered" || entry.type === "holdout")
        .filter((entry) => entry.at >= formatInstant(T0 + DAY))
        .map((entry) => entry.journey);
      // Until the dormancy journey's entry shows: the reminder of the coupon it issues runs in a batch of its
      // own, whose proof may be written before the dormancy batch's (an entry shows once proven handed on).
      return entered.includes(DORMANCY.id);
    });
    // The dormancy journey first; the reminder of the coupon it issues may have entered by the time we look.
    expect(entered[0]).toBe(DORMANCY.id);
    expect(entered.filter((id) => id !== DORMANCY.id && id !== "coupon-expiry-nudge")).toEqual([]);
  });

  it("refuses a missing file and extra arguments, with the usage", async () => {
    // Prepare
    const io = capture();
    // Act
    const code = await main(["import"], io);
    // Assess
    expect(code).toBe(ExitCode.usage);
    const [problem, usage] = io.err.join("\n").split("\n");
    expect(problem).toBe("nudge import: expected one events file (NDJSON)");
    expect(usage).toMatch(/^Usage: nudge import <file.ndjson>/);
  });
});

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import { type OutboxLine, readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { dormancyPromise, loadSeedJourneys, platformTraits } from "../scenarios/helpers.ts";
import { NO_POLICIES } from "../support/policies.ts";
import { until } from "../support/until.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");
const MIN = 60_000;
const DAY = 86_400_000;
/** The shipped dormancy journey, as its file has it: u-quiet registered a day longer ago than its idle time. */
const DORMANCY = dormancyPromise();
const QUIET_FOR = DORMANCY.idleMs + DAY;
const COMEBACK = `${DORMANCY.journey.id}/${DORMANCY.firstMessage.template}/u-quiet`;

const running: LocalPlatform[] = [];
afterEach(async () => {
  for (const platform of running.splice(0)) await platform.stop();
});

/**
 * The local platform with the seed journeys, in a fresh folder, on a virtual clock the test moves (the
 * tick runs every 20 ms of real time), and the AWS SDK's EventBridge client pointed at its endpoint.
 */
async function start(
  dir = mkdtempSync(join(tmpdir(), "nudge-local-")),
  clock = { now: T0 },
  dynamodbEndpoint: string | undefined = undefined,
  traits: TraitsFile | undefined = undefined,
) {
  const platform = await startLocalPlatform({
    ...(traits === undefined ? {} : { traits }),
    dir,
    journeys: loadSeedJourneys(),
    // The platform's mechanics (events in, outbox out, restarts), not the policies: messages go when due,
    // and a registration older than the dormancy idle time is live, not a backfill (see
    // test/engine/late-events.test.ts).
    policies: { ...NO_POLICIES, backfillAfter: `P${Math.ceil(QUIET_FOR / DAY) + 30}D` },
    port: 0,
    clock: () => clock.now,
    tickEveryMs: 20,
    dynamodbEndpoint,
  });
  running.push(platform);
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const put = async (entries: PutEventsRequestEntry[]) => {
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    expect(output.FailedEntryCount).toBe(0);
  };
  const stop = async () => {
    running.splice(running.indexOf(platform), 1);
    client.destroy();
    await platform.stop();
  };
  return { dir, clock, platform, put, stop };
}

const entry = (type: string, detail: Record<string, unknown>, time?: number): PutEventsRequestEntry => ({
  Source: "shop",
  DetailType: type,
  Detail: JSON.stringify(detail),
  ...(time === undefined ? {} : { Time: new Date(time) }),
});
const registered = (userId: string, time?: number) =>
  entry("user.registered", { userId, locale: "zh-CN", timezone: "Asia/Shanghai" }, time);

const summary = (lines: OutboxLine[]) => lines.map((l) => `${l.journey}/${l.template}/${l.user}`).sort();

/** Waits (real time) until the outbox holds every line expected; returns what it holds then. */
async function outboxWith(platform: LocalPlatform, expected: string[]): Promise<string[]> {
  let lines: string[] = [];
  await until(() => {
    lines = summary(readOutbox(platform.outboxPath));
    return expected.every((line) => lines.includes(line));
  });
  return lines;
}

describe("local platform", () => {
  it("runs each seed journey from events published with the AWS SDK to the outbox (on another DynamoDB endpoint)", async () => {
    // Prepare: a registration now, one a day longer ago than the dormancy idle time (dormant since), a shop coupon expiring in 12 hours, a
    // promotion order delivered now; the table on the tests' dynalite rather than one of its own.
    const { clock, platform, put } = await start(undefined, undefined, inject("dynamodbEndpoint"));
    // Act
    await put([
      registered("u-new"),
      registered("u-quiet", T0 - QUIET_FOR),
      entry("coupon.issued", {
        userId: "u-new",
        couponId: "cpn-1",
        code: "THANKS20",
        amountOff: 20,
        expiresAt: new Date(T0 + 12 * 3_600_000).toISOString(),
      }),
      entry("order.delivered", { userId: "u-new", orderId: "o-1", promotionId: "promo-11" }),
    ]);
    const atOnce = await outboxWith(platform, [
      "coupon-expiry-nudge/expiring/u-new",
      "new-user-coupon/welcome/u-new",
      "new-user-coupon/welcome-coupon-popup/u-new",
      "onboarding-guide/guide-1/u-new",
    ]);
    clock.now += 10 * MIN; // past the tick's lookahead and settle time: the dormancy timer, due already
    const dormant = await outboxWith(platform, [COMEBACK]);
    clock.now += DAY; // the second guides, and the review request 24 hours after delivery
    const everything = [
      "coupon-expiry-nudge/expiring/u-new",
      COMEBACK,
      "new-user-coupon/welcome-coupon-popup/u-new",
      "new-user-coupon/welcome-coupon-popup/u-quiet",
      "new-user-coupon/welcome/u-new",
      "new-user-coupon/welcome/u-quiet",
      "onboarding-guide/guide-1/u-new",
      "onboarding-guide/guide-1/u-quiet",
      "onboarding-guide/guide-2/u-new",
      "onboarding-guide/guide-2/u-quiet",
      "post-promotion-review/review-request/u-new",
    ];
    // Waits for all of it (on a busy machine u-quiet's second guide may come a moment after u-new's), then
    // says nothing else came.
    const nextDay = await outboxWith(platform, everything);
    // Assess
    expect(atOnce).toEqual(expect.arrayContaining(["coupon-expiry-nudge/expiring/u-new"]));
    expect(dormant).toContain(COMEBACK);
    expect(nextDay).toEqual(everything);
    const [line] = readOutbox(platform.outboxPath).filter((l) => l.template === "expiring");
    expect(line).toMatchObject({ journey: "coupon-expiry-nudge", user: "u-new", channel: "push" });
    expect(line?.text).toContain("THANKS20");
    expect(platform.health()).toMatchObject({ records: { failed: 0 }, deadLetters: 0 });
  });

  it("runs member day: armed at start, fanned out on Friday 10:00 UTC+14, each silver member's benefit at 10:00 their time", async () => {
    // Prepare: with the shipped traits and segments, a member in Shanghai who spent 600 yuan (silver) and a
    // user who spent 50 (not a member). T0 is Wednesday 18 November 2026.
    const { clock, platform, put } = await start(undefined, undefined, undefined, await platformTraits());
    const order = (userId: string, amount: number) =>
      entry("order.placed", { userId, orderId: `o-${userId}`, amount, currency: "CNY" });
    await put([registered("u-silver"), registered("u-small"), order("u-silver", 600), order("u-small", 50)]);
    await outboxWith(platform, ["new-user-coupon/welcome/u-silver", "new-user-coupon/welcome/u-small"]);
    // Act: Friday 10:00 in Shanghai (02:00 UTC), then past the tick's lookahead and settle time.
    clock.now = Date.parse("2026-11-20T02:00:00Z");
    // The fan-out (due since Thursday 20:00 UTC) taken and run before the clock moves on: it schedules each
    // entry at the clock's time, which the tick hands on once the clock is past its settle time.
    await until(() => platform.tickedUpTo() >= clock.now);
    await platform.settled();
    clock.now += 10 * MIN;
    const lines = await outboxWith(platform, ["member-day/member-day/u-silver"]);
    await platform.settled();
    // Assess: the member's benefit once; no one else's.
    expect(lines.filter((line) => line.startsWith("member-day/"))).toEqual(["member-day/member-day/u-silver"]);
    expect(platform.health()).toMatchObject({ records: { failed: 0 }, deadLetters: 0 });
  });

  it("goes on after a restart mid-journey: no accepted event lost, no message sent twice", async () => {
    // Prepare: a user mid-way through the onboarding guide; then events accepted and the platform
    // stopped at once, before it could process them.
    const first = await start();
    await first.put([registered("u-1")]);
    await outboxWith(first.platform, ["onboarding-guide/guide-1/u-1"]);
    await first.put([registered("u-2"), registered("u-3")]);
    await first.stop();
    // Act: a new platform on the same folder, a day later.
    const second = await start(first.dir, first.clock);
    const beforeNextDay = await outboxWith(second.platform, ["new-user-coupon/welcome/u-3"]);
    second.clock.now += DAY + 10 * MIN;
    const after = await outboxWith(
      second.platform,
      ["u-1", "u-2", "u-3"].map((u) => `onboarding-guide/guide-2/${u}`),
    );
    await second.platform.settled();
    // Assess
    expect(beforeNextDay).toContain("onboarding-guide/guide-1/u-2");
    expect(after).toEqual(
      ["u-1", "u-2", "u-3"]
        .flatMap((u) => [
          `new-user-coupon/welcome/${u}`,
          `new-user-coupon/welcome-coupon-popup/${u}`,
          `onboarding-guide/guide-1/${u}`,
          `onboarding-guide/guide-2/${u}`,
        ])
        .sort(),
    );
    const ids = readOutbox(second.platform.outboxPath).map((line) => line.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("refuses a second platform on a folder in use, and takes over the lock of a process that is gone", async () => {
    // Prepare
    const first = await start();
    const other = mkdtempSync(join(tmpdir(), "nudge-local-"));
    writeFileSync(join(other, "lock"), "999999999"); // no such process
    // Act
    const refused = await start(first.dir).catch((error: Error) => error);
    const taken = await start(other);
    // Assess
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(
      `${first.dir} is in use by process ${process.pid} (another nudge start?): stop it, or give another folder with --dir`,
    );
    expect(readFileSync(join(other, "lock"), "utf8")).toBe(String(process.pid));
    await taken.stop();
    expect(existsSync(join(other, "lock"))).toBe(false);
  });
});

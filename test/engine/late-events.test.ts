import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { compileJourney } from "../../functions/engine/compile.ts";
import { decideEvent } from "../../functions/engine/decide.ts";
import { parsePolicyConfig } from "../../functions/engine/policies/config.ts";
import { formatInstant } from "../../functions/shared/time.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, dormancyJourney, fireWakeUpsUntil, greetTwiceJourney, harness, journey, shopEvent } from "./fixtures.ts";

const NOW = "2026-11-18T02:00:00Z";
const DAY = 86_400_000;
const iso = formatInstant;
const NO_QUIET = parsePolicyConfig({ quietHours: null, caps: [] });

/** A greeting at registration, and a dormancy journey whose clock counts from it (30 days). */
const registrationJourneys = () => new JourneyCatalog([greetTwiceJourney, dormancyJourney]);

/** A journey a user may enter again once a run ended: one greeting per review, the run over at once. */
const thanksPerReview = journey({
  trigger: { type: "event", pattern: { "detail-type": ["review.posted"] } },
  reentry: { type: "after-exit" },
  start: "greet",
  steps: [{ id: "greet", type: "send", channel: "push", template: "hello" }],
});

/** The engine's decision of an event for user u1's record of `current`, at the event's time. */
const userOneDecides =
  (current: ReturnType<typeof compileJourney>) =>
  (event: ReturnType<typeof shopEvent>, record: Parameters<typeof decideEvent>[0]["record"]) =>
    decideEvent({ current, record, key: "u1", profile: undefined, now: at(event.time), event });

/** A step that waits a week for a review: on to `onEvent` when one comes, else to `onTimeout`. */
const waitForReview = (id: string, next: string) => ({
  id,
  type: "wait-for-event" as const,
  pattern: { "detail-type": ["review.posted"] },
  timeout: "P7D",
  onEvent: next,
  onTimeout: next,
});

describe("run records and late events", () => {
  it("recognise a replayed trigger at any lateness: after ten later runs, and days later", async () => {
    // Prepare: eleven reviews a minute apart, each a run (the record then remembers the last 8 ids only).
    const { runtime, delivered } = harness(new JourneyCatalog([thanksPerReview]));
    const reviews = Array.from({ length: 11 }, (_, i) =>
      shopEvent("review.posted", iso(at(NOW) + i * 60_000), { userId: "u1", orderId: `o-${i}` }),
    );
    for (const review of reviews) await runtime.handleEvent(review, at(review.time));
    const first = reviews[0];
    if (first === undefined) throw new Error("no review");
    const sentBefore = delivered.filter((e) => e.type === "message.sent").length;
    // Act: the first review redelivered an hour later (inside the backfill window), then replayed 3 days later.
    await runtime.handleEvent(first, at(NOW) + 3_600_000);
    await runtime.handleEvent(first, at(NOW) + 3 * DAY);
    // Assess
    expect(sentBefore).toBe(11);
    expect(delivered.filter((e) => e.type === "message.sent")).toHaveLength(11);
  });

  it("recognise a replayed arrival at a wait step even once the record no longer remembers its id", () => {
    // Prepare: a run that waits for a review, says thanks, and waits for another; the first review arrived.
    const twoReviews = compileJourney(
      journey({
        start: "first",
        steps: [
          {
            id: "first",
            type: "wait-for-event",
            pattern: { "detail-type": ["review.posted"] },
            timeout: "P7D",
            onEvent: "thanks",
            onTimeout: "last",
          },
          { id: "thanks", type: "send", channel: "push", template: "hello", category: "service", next: "second" },
          {
            id: "second",
            type: "wait-for-event",
            pattern: { "detail-type": ["review.posted"] },
            timeout: "P7D",
            onEvent: "last",
            onTimeout: "last",
          },
          { id: "last", type: "send", channel: "push", template: "hello", category: "service" },
        ],
      }),
    );
    const decide = userOneDecides(twoReviews);
    const registered = decide(shopEvent("user.registered", NOW, { userId: "u1" }), undefined);
    const review = shopEvent("review.posted", iso(at(NOW) + 3_600_000), { userId: "u1", orderId: "o-1" });
    const arrived = decide(review, registered?.record);
    if (arrived === undefined) throw new Error("the review did not arrive");
    // Act: the same review again, to a record whose window of ids no longer holds it.
    const replayed = decide(review, { ...arrived.record, recentEventIds: [] });
    // Assess
    expect(arrived.record.run?.stepId).toBe("second");
    expect(replayed).toBeUndefined();
  });

  it("remember each event's id in a new array, the newest 8, leaving the record they were handed as it was", () => {
    // Prepare: a run that waits for reviews, again and again; ten reviews a minute apart.
    const reviewsJourney = compileJourney(journey({ start: "wait", steps: [waitForReview("wait", "wait")] }));
    const decide = userOneDecides(reviewsJourney);
    let record = decide(shopEvent("user.registered", NOW, { userId: "u1" }, "e-registered"), undefined)?.record;
    const handed: { ids: readonly string[]; copy: string[] }[] = [];
    // Act
    for (let i = 0; i < 10; i++) {
      const review = shopEvent("review.posted", iso(at(NOW) + (i + 1) * 60_000), { userId: "u1" }, `e-${i}`);
      if (record !== undefined) handed.push({ ids: record.recentEventIds, copy: [...record.recentEventIds] });
      record = decide(review, record)?.record;
    }
    // Assess
    expect(record?.recentEventIds).toEqual(["e-2", "e-3", "e-4", "e-5", "e-6", "e-7", "e-8", "e-9"]);
    for (const { ids, copy } of handed) expect(ids).toEqual(copy);
  });

  it("set each step's output on a new object, leaving the outputs of the record they were handed as they were", () => {
    // Prepare: a run that branches on every review it waits for (a branch step sets steps.<id>): "otherwise"
    // the first time, branch 0 once the step has an output.
    const branching = compileJourney(
      journey({
        start: "wait",
        steps: [
          waitForReview("wait", "which"),
          {
            id: "which",
            type: "branch",
            branches: [{ condition: { steps: { which: { branch: [{ exists: true }] } } }, next: "wait" }],
            otherwise: "wait",
          },
        ],
      }),
    );
    const decide = userOneDecides(branching);
    const first = decide(shopEvent("user.registered", NOW, { userId: "u1" }, "e-registered"), undefined)?.record;
    const review = (i: number) => shopEvent("review.posted", iso(at(NOW) + i * 60_000), { userId: "u1" }, `e-${i}`);
    const handed = decide(review(1), first)?.record;
    const before = structuredClone(handed?.run?.outputs);
    // Act
    const after = decide(review(2), handed)?.record;
    // Assess
    expect(before).toEqual({ which: { branch: "otherwise" } });
    expect(handed?.run?.outputs).toEqual(before);
    expect(after?.run?.outputs).toEqual({ which: { branch: 0 } });
    expect(after?.run?.outputs).not.toBe(handed?.run?.outputs);
  });

  it("a 1970 registration updates the profile as of 1970 but sends nothing, and the dormancy clock counts from now", async () => {
    // Prepare: a greeting at registration and a 30-day dormancy journey; a registration dated 1970 arriving now
    // (a backfill).
    const store = new MemoryStore();
    const { runtime, delivered } = harness(registrationJourneys(), store, NO_QUIET);
    const backfill = shopEvent("user.registered", "1970-01-01T00:00:00Z", {
      userId: "u-old",
      locale: "zh-CN",
      timezone: "Asia/Shanghai",
    });
    // Act
    await runtime.handleEvent(backfill, at(NOW));
    await fireWakeUpsUntil(store, runtime, iso(at(NOW) + DAY));
    const dayAfter = delivered.map((e) => e.type);
    await fireWakeUpsUntil(store, runtime, iso(at(NOW) + 31 * DAY));
    // Assess
    expect((await store.getProfile("u-old"))?.value.registeredAt).toBe("1970-01-01T00:00:00Z");
    expect(dayAfter).toEqual([]);
    const clock = (await store.getRecord(dormancyJourney.id, "u-old"))?.value;
    expect(clock?.entries).toBe(1);
    expect(delivered.find((e) => e.type === "journey.entered")).toMatchObject({
      journey: dormancyJourney.id,
      at: iso(at(NOW) + 30 * DAY),
    });
  });

  it("counts an event as a backfill only beyond the policy's backfillAfter (default 24 hours)", async () => {
    // Prepare: a greeting at registration; registrations 23 hours and 3 days old; one platform with the default
    // window, one with 7 days.
    const registered = (userId: string, ageMs: number) =>
      shopEvent("user.registered", iso(at(NOW) - ageMs), { userId, locale: "zh-CN", timezone: "Asia/Shanghai" });
    const welcomed = async (policies: typeof NO_QUIET) => {
      const { runtime, delivered } = harness(registrationJourneys(), new MemoryStore(), policies);
      for (const [user, age] of [
        ["u-23h", 23 * 3_600_000],
        ["u-3d", 3 * DAY],
      ] as const)
        await runtime.handleEvent(registered(user, age), at(NOW));
      return delivered
        .filter((e) => e.type === "journey.entered" && e.journey === greetTwiceJourney.id)
        .map((e) => e.user)
        .sort();
    };
    // Act
    const byDefault = await welcomed(NO_QUIET);
    const withAWeek = await welcomed({ ...NO_QUIET, backfillAfter: "P7D" });
    // Assess
    expect(byDefault).toEqual(["u-23h"]);
    expect(withAWeek).toEqual(["u-23h", "u-3d"]);
  });

  it("still ends a run by a late exit event: a backfilled order ends the dormancy run it comes after", async () => {
    // Prepare: a dormant user entered the (30-day) dormancy journey; an order placed after entry arrives 2 days late.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(registrationJourneys(), store, NO_QUIET);
    const registration = shopEvent("user.registered", NOW, { userId: "u1", timezone: "Asia/Shanghai" });
    await runtime.handleEvent(registration, at(NOW));
    await fireWakeUpsUntil(store, runtime, iso(at(NOW) + 30 * DAY));
    const order = shopEvent("order.placed", iso(at(NOW) + 30 * DAY + 3_600_000), {
      userId: "u1",
      orderId: "o-1",
      amount: 120,
      currency: "CNY",
    });
    // Act
    await runtime.handleEvent(order, at(NOW) + 32 * DAY + 3_600_000);
    // Assess
    const dormancy = delivered.filter((e) => e.journey === dormancyJourney.id).map((e) => e.type);
    expect(dormancy).toEqual(expect.arrayContaining(["journey.entered", "goal.converted", "journey.exited"]));
    expect((await store.getProfile("u1"))?.value).toMatchObject({ orderCount: 1, lastOrderAt: order.time });
  });
});

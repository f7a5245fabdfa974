import { beforeAll, describe, expect, it } from "vitest";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { event, loadSeedJourneys, platformPolicies, platformTraits, plus, run } from "./helpers.ts";

/**
 * The shipped segments (journeys/segments/), live: a user enters and leaves as events change the traits
 * they read, and as time alone does (a rolling window, an RFM recency score), with the simulator's lines
 * `{"type", "segment", "user", "at"}` and the members' index.
 */
let traits: TraitsFile;
beforeAll(async () => {
  traits = await platformTraits();
});

const T0 = "2026-09-01T02:00:00Z";
const order = (time: string, orderId: string, amount: number, user = "u_1") =>
  event("order.placed", time, { userId: user, orderId, amount, currency: "CNY" }, `order-${orderId}`);
const refund = (time: string, orderId: string, amount: number) =>
  event("order.refunded", time, { userId: "u_1", orderId, amount, refundId: `r-${orderId}` }, `refund-${orderId}`);
const cart = (time: string, id: string) =>
  event("cart.item_added", time, { userId: "u_1", productId: "sku-1" }, `cart-${id}`);
const favorite = (time: string, id: string) =>
  event("product.favorited", time, { userId: "u_1", productId: "sku-2" }, `fav-${id}`);

/** The profile lines of one segment, as the simulator prints them. */
const segmentLines = (lines: readonly Record<string, unknown>[], segment: string) =>
  lines.filter((line) => line.segment === segment);
const entered = (at: string, segment: string, user = "u_1") => ({ type: "segment.entered", segment, user, at });
const exited = (at: string, segment: string, user = "u_1") => ({ type: "segment.exited", segment, user, at });

describe("silver-and-above", () => {
  it("takes a user in when the growth value reaches 500 and lets them go when a refund takes it below", async () => {
    // Prepare
    const lines = [
      order(plus(T0, { d: 1 }), "o1", 450),
      order(plus(T0, { d: 2 }), "o2", 60),
      refund(plus(T0, { d: 5 }), "o2", 60),
    ];

    // Act
    const outcome = await run(lines, { traits, until: plus(T0, { d: 10 }) });

    // Assess
    expect(segmentLines(outcome.lines, "silver-and-above")).toEqual([
      entered(plus(T0, { d: 2 }), "silver-and-above"),
      exited(plus(T0, { d: 5 }), "silver-and-above"),
    ]);
  });

  it("prints each change once when the events come twice and out of order", async () => {
    // Prepare: the refund arrives before the order it refunds, and everything twice.
    const lines = [
      order(plus(T0, { d: 1 }), "o1", 600),
      refund(plus(T0, { d: 3 }), "o1", 200),
      order(plus(T0, { d: 2 }), "o2", 50),
    ];

    // Act
    const outcome = await run([...lines, ...lines], { traits, until: plus(T0, { d: 10 }) });

    // Assess: 600 → 400 is below 500; + 50 is 450: out, once.
    expect(segmentLines(outcome.lines, "silver-and-above")).toEqual([
      entered(plus(T0, { d: 1 }), "silver-and-above"),
      exited(plus(T0, { d: 3 }), "silver-and-above"),
    ]);
  });
});

describe("cart-or-favorite-30d", () => {
  it("lets a user go 30 days after the last cart or favourite, with time alone", async () => {
    // Prepare
    const lines = [cart(T0, "1"), favorite(plus(T0, { d: 20 }), "2")];

    // Act
    const outcome = await run(lines, { traits, until: plus(T0, { d: 90 }) });

    // Assess: the favourite on day 20 keeps them in until day 50.
    expect(segmentLines(outcome.lines, "cart-or-favorite-30d")).toEqual([
      entered(T0, "cart-or-favorite-30d"),
      exited(plus(T0, { d: 50 }), "cart-or-favorite-30d"),
    ]);
  });

  it("counts a late cart event from its own time", async () => {
    // Prepare: a cart event of day 0 arrives on day 10, after an order of day 10.
    const lines = [order(plus(T0, { d: 10 }), "o1", 20), cart(T0, "late")];

    // Act
    const outcome = await run(lines, { traits, until: plus(T0, { d: 60 }) });

    // Assess: in when it arrives (the file's order is by time: at day 0), out 30 days after its time.
    expect(segmentLines(outcome.lines, "cart-or-favorite-30d")).toEqual([
      entered(T0, "cart-or-favorite-30d"),
      exited(plus(T0, { d: 30 }), "cart-or-favorite-30d"),
    ]);
  });
});

describe("at-risk and champions", () => {
  it("moves a frequent big spender from champions out as the last order ages, and into at-risk at 91 days", async () => {
    // Prepare: six orders of 400 in six days: F 4 (6 in 365 days), M 4 (2,400), R 5.
    const lines = [0, 1, 2, 3, 4, 5].map((d) => order(plus(T0, { d }), `o${d}`, 400));
    const last = plus(T0, { d: 5 });

    // Act
    const outcome = await run(lines, { traits, until: plus(T0, { d: 120 }) });

    // Assess: champions from the sixth order (F reaches 4 at the sixth); R 3 after 61 days makes them loyal;
    // R 2 after 91 days, with F 4 and M 4, makes them cant-lose, which at-risk takes in.
    expect(segmentLines(outcome.lines, "champions")).toEqual([
      entered(last, "champions"),
      exited(plus(last, { d: 61 }), "champions"),
    ]);
    expect(segmentLines(outcome.lines, "at-risk")).toEqual([entered(plus(last, { d: 91 }), "at-risk")]);
  });

  it("takes an at-risk user out when they order again", async () => {
    // Prepare: three orders (F 3), then 91 days of nothing, then an order.
    const lines = [0, 1, 2].map((d) => order(plus(T0, { d }), `o${d}`, 100));
    const back = plus(T0, { d: 100 });

    // Act
    const outcome = await run([...lines, order(back, "o-back", 100)], { traits, until: plus(T0, { d: 110 }) });

    // Assess
    expect(segmentLines(outcome.lines, "at-risk")).toEqual([
      entered(plus(T0, { d: 2 + 91 }), "at-risk"),
      exited(back, "at-risk"),
    ]);
  });
});

describe("the members' index", () => {
  it("lists and counts a segment's members from the index, page by page", async () => {
    // Prepare: three users over 500, one under.
    const store = new MemoryStore();
    const lines = [
      order(T0, "a", 600, "u_a"),
      order(T0, "b", 700, "u_b"),
      order(T0, "c", 100, "u_c"),
      order(plus(T0, { h: 1 }), "d", 900, "u_d"),
    ];

    // Act
    await run(lines, { traits, store, until: plus(T0, { d: 1 }) });
    const first = await store.segmentMembers("silver-and-above", { limit: 2 });
    const second = await store.segmentMembers("silver-and-above", {
      limit: 2,
      ...(first.next ? { after: first.next } : {}),
    });

    // Assess
    expect(await store.countSegmentMembers("silver-and-above")).toBe(3);
    expect([...first.members, ...second.members].map((member) => member.userId).sort()).toEqual(["u_a", "u_b", "u_d"]);
    expect(second.next).toBeUndefined();
    expect((await store.getProfile("u_a"))?.value.segments).toEqual(["silver-and-above"]);
  });
});

describe("under faults", () => {
  it("prints the same segment lines with duplicated deliveries and crashes", async () => {
    // Prepare
    const lines = [
      ...[0, 1, 2, 3, 4, 5].map((d) => order(plus(T0, { d }), `o${d}`, 400)),
      cart(plus(T0, { d: 3 }), "1"),
      refund(plus(T0, { d: 8 }), "o1", 400),
    ];
    const options = {
      journeys: loadSeedJourneys(),
      lines,
      policies: platformPolicies(),
      traits,
      until: Date.parse(plus(T0, { d: 120 })),
    };
    const profileLines = (result: { lines: readonly Record<string, unknown>[] }) =>
      result.lines.filter((line) => line.journey === undefined);

    // Act
    const clean = await simulate(options);
    const faulty = await simulate({ ...options, faults: { duplicateRate: 0.3, crashRate: 0.3, seed: 7 } });

    // Assess
    expect(profileLines(clean).length).toBeGreaterThan(4);
    expect(profileLines(faulty)).toEqual(profileLines(clean));
    expect(faulty.faults?.duplicates).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import {
  at,
  fireWakeUpsUntil,
  greetTwiceJourney,
  harness,
  journey,
  raceReviewAndRefund,
  reviewJourney,
  shopEvent,
} from "../engine/fixtures.ts";
import { NO_POLICIES } from "../support/policies.ts";

describe("JourneyRuntime", () => {
  it("applies two events for one run processed at the same time: one wins, the other retries, neither is lost", async () => {
    // Prepare / Act: both read the run before either writes.
    const { runtime, record } = await raceReviewAndRefund(new MemoryStore());
    // Assess
    expect(runtime.stats.conflicts).toBeGreaterThan(0);
    // The review converted the goal; the refund either ended the run or, arriving second, was remembered.
    expect(record?.run?.goal?.convertedAt).toBe("2026-11-01T05:00:00Z");
    expect(record?.run?.status).toBe("ended");
    expect(record?.run?.exitReason === "exit-event" || record?.lastExitEventAt === "2026-11-01T05:00:00Z").toBe(true);
  });

  it("recovers from a crash before the state update: the retry decides again and nothing went out twice", async () => {
    // Prepare: the first save of the record dies, as a Lambda timing out would.
    const store = new MemoryStore();
    const realPut = store.putRecord.bind(store);
    let crashes = 1;
    store.putRecord = async (record, expected) => {
      if (crashes-- > 0) throw new Error("simulated crash before the state update");
      return realPut(record, expected);
    };
    const { runtime, delivered } = harness(new JourneyCatalog([greetTwiceJourney]), store);
    const registered = shopEvent("user.registered", "2026-11-01T00:00:00Z", { userId: "u1" });
    // Act: the first attempt crashes; the platform redelivers the event.
    await expect(runtime.handleEvent(registered, at(registered.time))).rejects.toThrow("simulated crash");
    await runtime.handleEvent(registered, at(registered.time));
    // Assess
    expect(delivered.map((e) => e.type)).toEqual(["journey.entered", "message.sent"]);
    expect((await store.getRecord("test-journey", "u1"))?.value.run?.stepId).toBe("later");
  });

  it("recovers from a crash after the state update: the saved effects go out on retry, once", async () => {
    // Prepare: the process dies right after the decision is saved, before any effect went out.
    const store = new MemoryStore();
    const realPut = store.putRecord.bind(store);
    let crashes = 1;
    store.putRecord = async (record, expected) => {
      const revision = await realPut(record, expected);
      if (crashes-- > 0) throw new Error("simulated crash after the state update");
      return revision;
    };
    const { runtime, delivered } = harness(new JourneyCatalog([greetTwiceJourney]), store);
    const registered = shopEvent("user.registered", "2026-11-01T00:00:00Z", { userId: "u1" });
    // Act: the first attempt dies; the event is redelivered, decides nothing new, and flushes the saved effects.
    await expect(runtime.handleEvent(registered, at(registered.time))).rejects.toThrow("simulated crash");
    const beforeRetry = delivered.length;
    await runtime.handleEvent(registered, at(registered.time));
    await runtime.handleEvent(registered, at(registered.time));
    // Assess
    expect(beforeRetry).toBe(0);
    expect(delivered.map((e) => e.type)).toEqual(["journey.entered", "message.sent"]);
    expect(store.pendingWakeUps).toBe(1);
  });

  it("keeps runs in flight on the version they entered with, and admits new ones on the latest", async () => {
    // Prepare
    const steps = (text: string) => ({
      templates: { hello: { "zh-CN": text } },
      start: "later",
      steps: [
        { id: "later", type: "wait" as const, for: "P1D", next: "say" },
        { id: "say", type: "send" as const, channel: "push", template: "hello" },
      ],
    });
    const catalog = new JourneyCatalog([journey({ version: 1, ...steps("第一版") })]);
    const { runtime, store, delivered } = harness(catalog);
    const first = shopEvent("user.registered", "2026-11-01T00:00:00Z", { userId: "u1" });
    await runtime.handleEvent(first, at(first.time));
    // Act: the journey is edited while u1 waits; u2 registers afterwards.
    catalog.add(journey({ version: 2, ...steps("第二版") }));
    const second = shopEvent("user.registered", "2026-11-01T06:00:00Z", { userId: "u2" });
    await runtime.handleEvent(second, at(second.time));
    for (const wakeUp of await store.takeDueWakeUps(at("2026-11-03T00:00:00Z"), 10)) {
      await runtime.handleWakeUp(wakeUp, at(wakeUp.at));
    }
    // Assess
    const sent = delivered.filter((e) => e.type === "message.sent");
    expect(sent.map((e) => [e.user, e.version, e.type === "message.sent" && e.text])).toEqual([
      ["u1", 1, "第一版"],
      ["u2", 2, "第二版"],
    ]);
  });

  it("ignores a stale wake-up whose run has moved on", async () => {
    // Prepare
    const { runtime, store, delivered } = harness(new JourneyCatalog([reviewJourney]));
    const deliveredEvent = shopEvent("order.delivered", "2026-11-01T00:00:00Z", { userId: "u1", orderId: "o1" });
    await runtime.handleEvent(deliveredEvent, at(deliveredEvent.time));
    const [timeout] = await store.takeDueWakeUps(at("2026-11-02T00:00:00Z"), 10);
    const review = shopEvent("review.posted", "2026-11-01T05:00:00Z", { userId: "u1", orderId: "o1" });
    await runtime.handleEvent(review, at(review.time));
    // Act
    if (timeout === undefined) throw new Error("expected the wait's timeout to be scheduled");
    await runtime.handleWakeUp(timeout, at(timeout.at));
    // Assess: the run ended when the review arrived; the old timeout sends nothing.
    expect(delivered.filter((e) => e.type === "message.sent")).toEqual([]);
  });

  it("adds statistics up in memory and writes them every flushEveryInputs inputs and on flush", async () => {
    // Prepare: a journey every registration enters; statistics written every third input.
    const store = new MemoryStore();
    const writes: number[] = [];
    const addStats = store.addStats.bind(store);
    store.addStats = async (counters) => {
      writes.push(counters.length);
      return addStats(counters);
    };
    const hi = journey({ start: "hi", steps: [{ id: "hi", type: "send", channel: "push", template: "hi" }] });
    const { runtime } = harness(new JourneyCatalog([hi]), store, undefined, { flushEveryInputs: 3 });
    const register = (n: number) =>
      shopEvent("user.registered", `2026-11-01T0${n}:00:00Z`, { userId: `u${n}` }, `evt-${n}`);
    const entered = async () =>
      (await store.readStats("test-journey", "2026-11-01", "2026-11-01")).find((c) => c.name === "entered")?.amount;
    // Act
    for (const n of [1, 2]) await runtime.handleEvent(register(n), at(register(n).time));
    const afterTwo = await entered();
    await runtime.handleEvent(register(3), at(register(3).time));
    const afterThree = await entered();
    await runtime.handleEvent(register(4), at(register(4).time));
    await runtime.flush();
    await runtime.flush();
    // Assess: one write for three inputs' counters (merged by name), one for the fourth, none when empty.
    expect([afterTwo, afterThree, await entered()]).toEqual([undefined, 3, 4]);
    expect(writes).toHaveLength(2);
  });

  it("keeps a run's journal in its record: the outbox handed on joins it at the run's next decision", async () => {
    // Prepare: the greeting at registration, a day's wait, the second greeting.
    const { runtime, store } = harness(new JourneyCatalog([greetTwiceJourney]));
    const registered = shopEvent("user.registered", "2026-11-01T00:00:00Z", { userId: "u1" });
    const record = async () => (await store.getRecord("test-journey", "u1"))?.value;
    // Act
    await runtime.handleEvent(registered, at(registered.time));
    const afterFirst = await record();
    await fireWakeUpsUntil(store, runtime, "2026-11-03T00:00:00Z");
    const afterSecond = await record();
    // Assess: the first decision's outbox is pending, then in the run's journal, with no message text.
    expect(afterFirst?.journal).toBeUndefined();
    expect(afterFirst?.pending?.effects.map((e) => e.type)).toEqual(["journey.entered", "message.sent"]);
    expect(afterSecond?.journal?.map((e) => e.type)).toEqual(["journey.entered", "message.sent"]);
    expect(afterSecond?.journal?.[1]).not.toHaveProperty("text");
    expect(afterSecond?.pending?.effects.map((e) => e.type)).toEqual(["message.sent", "journey.exited"]);
  });

  it("proves a batch's outboxes handed on with one write at its flush, under the batch's first outbox id", async () => {
    // Prepare: three registrations in one batch (flushed after the third).
    const store = new MemoryStore();
    const proofs: { proof: string; ids: readonly string[] }[] = [];
    const prove = store.proveHandedOn.bind(store);
    store.proveHandedOn = async (proof, ids) => {
      proofs.push({ proof, ids });
      return prove(proof, ids);
    };
    const { runtime } = harness(new JourneyCatalog([greetTwiceJourney]), store, undefined, { flushEveryInputs: 3 });
    const register = (n: number) =>
      shopEvent("user.registered", `2026-11-01T0${n}:00:00Z`, { userId: `u${n}` }, `evt-${n}`);
    // Act
    for (const n of [1, 2, 3]) await runtime.handleEvent(register(n), at(register(n).time));
    const records = await Promise.all(
      [1, 2, 3].map(async (n) => (await store.getRecord("test-journey", `u${n}`))?.value.pending),
    );
    // Assess
    expect(proofs).toHaveLength(1);
    expect(new Set(records.map((pending) => pending?.proof))).toEqual(new Set([proofs[0]?.proof]));
    expect(proofs[0]?.ids).toEqual(records.map((pending) => pending?.effects[0]?.id));
    for (const pending of records) {
      const first = pending?.effects[0];
      expect(first && (await store.isHandedOn({ proof: proofs[0]?.proof ?? "", id: first.id, at: first.at }))).toBe(
        true,
      );
    }
  });
  it("applies the input that completes a batch at once over the in-memory store: its proof and counters written, no promise", async () => {
    // Prepare: batches of one input; a sink and publisher that finish at once, as the simulator's do.
    const store = new MemoryStore();
    const delivered: string[] = [];
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([greetTwiceJourney]),
      store,
      sink: { deliver: (effect) => void delivered.push(effect.type) },
      publisher: { publish: () => undefined },
      policies: NO_POLICIES,
      flushEveryInputs: 1,
    });
    const registered = shopEvent("user.registered", "2026-11-01T00:00:00Z", { userId: "u1" });
    // Act
    const handling = runtime.onEvent(registered, at(registered.time));
    // Assess: answered at once, and flushed: the outbox proven, the counters stored.
    expect(handling).toBeUndefined();
    expect(delivered).toEqual(["journey.entered", "message.sent"]);
    const pending = (await store.getRecord("test-journey", "u1"))?.value.pending;
    const first = pending?.effects[0];
    expect(first && store.isHandedOn({ proof: pending?.proof ?? "", id: first.id, at: first.at })).toBe(true);
    const counted = await store.readStats("test-journey", "2026-11-01", "2026-11-01");
    expect(counted.find((counter) => counter.name === "entered")?.amount).toBe(1);
  });
});

describe("JourneyRuntime: the user's profile and sends, one write", () => {
  it("saves the event's change to the profile before it hands anything on: a channel reads it", async () => {
    // Prepare: a journey that waits first (its entry is handed on, nothing is sent), and a sink that reads
    // the stored profile as a channel rendering the message would.
    const waitFirst = journey({
      start: "later",
      steps: [
        { id: "later", type: "wait", for: "P1D", next: "greet" },
        { id: "greet", type: "send", channel: "push", template: "hello" },
      ],
    });
    const store = new MemoryStore();
    const seen: (string | undefined)[] = [];
    const deliver = async () => void seen.push((await store.getProfile("u1"))?.value.registeredAt);
    const publisher = { publish: () => undefined };
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([waitFirst]),
      store,
      sink: { deliver },
      publisher,
    });
    // Act
    await runtime.handleEvent(shopEvent("user.registered", "2026-11-01T08:00:00Z", { userId: "u1" }, "e1"), 0);
    // Assess
    expect(seen).toEqual(["2026-11-01T08:00:00Z"]);
    expect(store.users.get("u1")?.revision).toBe(1);
  });

  it("writes the profile once, after the journeys, when none of them hands anything on", async () => {
    // Prepare: an order from a user no journey listens to orders for.
    const store = new MemoryStore();
    const { runtime } = harness(new JourneyCatalog([greetTwiceJourney]), store);
    const order = shopEvent("order.placed", "2026-11-01T08:00:00Z", {
      userId: "u1",
      orderId: "o1",
      amount: 9,
      currency: "CNY",
    });
    // Act
    await runtime.handleEvent(order, 0);
    await runtime.handleEvent(order, 0);
    // Assess: counted once, in one write; the redelivery changes nothing and writes nothing
    expect(store.users.get("u1")).toMatchObject({ revision: 1, value: { profile: { orderCount: 1 } } });
  });
});

describe("JourneyRuntime: how often an input is decided", () => {
  it("counts the engine's decide calls: one an attempt (the send log is read with the profile), again after a lost race", async () => {
    // Prepare: a store whose first record save loses its race (another writer came first, with a record that
    // has not seen the event)
    const store = new MemoryStore();
    const putRecord = store.putRecord.bind(store);
    let racesToLose = 1;
    store.putRecord = async (record, expected) => {
      if (racesToLose-- > 0)
        await putRecord({ journeyId: record.journeyId, key: record.key, entries: 0, recentEventIds: [] }, expected);
      return putRecord(record, expected);
    };
    const { runtime } = harness(new JourneyCatalog([greetTwiceJourney]), store);
    // Act
    await runtime.handleEvent(shopEvent("user.registered", "2026-11-01T08:00:00Z", { userId: "u1" }, "e1"), 0);
    // Assess: decided once; the save lost; decided once again
    expect(runtime.stats).toMatchObject({ decisions: 1, conflicts: 1, decideCalls: 2, mostDecideCalls: 2 });
  });
  it("decides once an input whose update-profile step and send change the user: one write for both and the event", async () => {
    // Prepare: a journey that tags the user's profile, then greets
    const tagThenGreet = journey({
      start: "tag",
      steps: [
        { id: "tag", type: "update-profile", attributes: { welcomed: true }, next: "greet" },
        { id: "greet", type: "send", channel: "push", template: "hello" },
      ],
    });
    const store = new MemoryStore();
    const { runtime } = harness(new JourneyCatalog([tagThenGreet]), store);
    // Act
    await runtime.handleEvent(shopEvent("user.registered", "2026-11-01T08:00:00Z", { userId: "u1" }, "e1"), 0);
    // Assess: the registration, the tag and the greeting's send, in the user's first write
    const user = store.users.get("u1");
    expect(runtime.stats).toMatchObject({ decisions: 1, decideCalls: 1, mostDecideCalls: 1 });
    expect(user?.revision).toBe(1);
    expect(user?.value.profile).toMatchObject({ registeredAt: "2026-11-01T08:00:00Z", attributes: { welcomed: true } });
    expect(user?.value.sends).toHaveLength(1);
  });
});

describe("JourneyRuntime: statistics of an outbox handed on again", () => {
  it("counts a decision's effects once, when another instance hands its outbox on again before the proof", async () => {
    // Prepare: two function instances on one table; the first has not ended its batch (no proof written yet)
    const store = new MemoryStore();
    const catalog = new JourneyCatalog([greetTwiceJourney]);
    const first = harness(catalog, store, undefined, { flushEveryInputs: 100 });
    const second = harness(catalog, store, undefined, { flushEveryInputs: 100 });
    await first.runtime.handleEvent(shopEvent("user.registered", "2026-11-01T08:00:00Z", { userId: "u1" }, "e1"), 0);
    // Act: the second instance's input for the same run finds the outbox not proven, and hands it on again
    await second.runtime.handleEvent(shopEvent("user.registered", "2026-11-01T08:00:01Z", { userId: "u1" }, "e2"), 0);
    await first.runtime.flush();
    await second.runtime.flush();
    // Assess: at least once to the channel (which drops the repeat by id), counted once
    const greetings = [...first.delivered, ...second.delivered].filter((e) => e.type === "message.sent");
    expect(greetings.map((e) => e.id)).toEqual([greetings[0]?.id, greetings[0]?.id]);
    const sums = new Map(
      (await store.readStats(greetTwiceJourney.id, "1970-01-01", "2030-01-01")).map((c) => [c.name, c.amount]),
    );
    expect(sums.get("entered")).toBe(1);
    expect(sums.get("message.sent")).toBe(1);
  });

  it("reads no record of a journey for an event of its detail-type that none of its patterns takes", async () => {
    // Prepare: a nudge for expiring shop coupons only, and a coupon of another kind (member day's, say).
    const shopCoupons = journey({
      id: "expiry-nudge",
      trigger: { type: "event", pattern: { "detail-type": ["coupon.issued"], detail: { kind: ["shop"] } } },
      start: "hello",
      steps: [{ id: "hello", type: "send", channel: "push", template: "hello" }],
      templates: { hello: { "zh-CN": "券快过期了" } },
    });
    const store = new MemoryStore();
    const reads: string[] = [];
    const getRecord = store.getRecord.bind(store);
    store.getRecord = (journeyId: string, key: string) => {
      reads.push(`${journeyId}/${key}`);
      return getRecord(journeyId, key);
    };
    const { runtime, delivered } = harness(new JourneyCatalog([shopCoupons]), store);
    const coupon = (kind: string, id: string) =>
      shopEvent("coupon.issued", "2026-11-01T00:00:00Z", { userId: "u1", couponId: id, kind }, id);
    // Act
    await runtime.handleEvent(coupon("member-day", "c-1"), at("2026-11-01T00:00:00Z"));
    const readsForOther = reads.length;
    await runtime.handleEvent(coupon("shop", "c-2"), at("2026-11-01T00:00:00Z"));
    // Assess: the other kind read nothing and did nothing; the shop's coupon entered.
    expect(readsForOther).toBe(0);
    expect(reads).toEqual(["expiry-nudge/u1"]);
    expect(delivered.map((e) => e.type).slice(0, 2)).toEqual(["journey.entered", "message.sent"]);
  });
});

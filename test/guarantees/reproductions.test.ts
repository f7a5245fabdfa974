import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect, WakeUp } from "../../functions/engine/model.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { tick } from "../../functions/runtime/tick-engine.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, runWakeUp, shopEvent } from "../engine/fixtures.ts";
import { seedJourney } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { NO_POLICIES } from "../support/policies.ts";

/**
 * The two losses issue 12 reproduced on the design that claimed an outbox (or moved the tick's cursor)
 * before handing it on. Both fail on that design; they pass once nothing is taken before it is handed on.
 */

describe("reproduction: a failed send while another input of the same run saves a new revision", () => {
  it("loses neither the welcome nor the coupon: the other input hands the outbox on", async () => {
    // Prepare: new-user-coupon; the delivery queue's first send hangs, then fails, and while it hangs the
    // user's first order (the journey's goal) is decided and saved on the same run record.
    const store = new MemoryStore();
    const delivered: JourneyEffect[] = [];
    let failNext = true;
    let orderSaved: () => void = () => undefined;
    const orderDone = new Promise<void>((resolve) => {
      orderSaved = resolve;
    });
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([seedJourney("new-user-coupon")]),
      store,
      policies: NO_POLICIES,
      sink: {
        deliver: () => undefined,
        deliverAll: async (effects) => {
          if (failNext) {
            failNext = false;
            await orderDone;
            throw new Error("SendMessageBatch: service unavailable");
          }
          delivered.push(...effects);
        },
      },
      publisher: { publish: async () => undefined },
    });
    const registered = shopEvent("user.registered", "2026-11-02T02:00:00Z", { userId: "u1", locale: "zh-CN" });
    const ordered = shopEvent("order.placed", "2026-11-02T02:05:00Z", {
      userId: "u1",
      orderId: "o1",
      amount: 120,
      currency: "CNY",
    });
    // Act: the registration's send hangs; the order goes through; the send fails; SQS redelivers.
    const first = runtime.handleEvent(registered, at(registered.time)).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await runtime.handleEvent(ordered, at(ordered.time));
    orderSaved();
    const failure = await first;
    await runtime.handleEvent(registered, at(registered.time));
    // Assess
    expect(String(failure)).toContain("service unavailable");
    const types = delivered.map((effect) => effect.type);
    expect(types).toContain("coupon.issued");
    expect(
      delivered.filter((e) => e.type === "message.sent").map((e) => e.type === "message.sent" && e.template),
    ).toEqual(["welcome-coupon-popup", "welcome"]);
  });
});

describe("reproduction: a tick that dies between reading what is due and handing it on", () => {
  it("strands nothing: the next tick hands the same wake-ups on", async () => {
    // Prepare: a shared table on a clock at 10:00 with 50 wake-ups due at 10:30.
    let now = Date.parse("2026-11-01T10:00:00Z");
    const { client, tableName } = await freshTable();
    const store = new DynamoDbStore(client, { tableName, clock: () => now });
    const due = Array.from({ length: 50 }, (_, i) => runWakeUp(`u${i}`, Date.parse("2026-11-01T10:30:00Z")));
    for (const wakeUp of due) await store.scheduleWakeUp(wakeUp);
    now = Date.parse("2026-11-01T10:31:00Z");
    // Act: the first tick's process dies inside its first hand-on (it never returns); seven more ticks run.
    let died: () => void = () => undefined;
    const dying = new Promise<void>((resolve) => {
      died = resolve;
    });
    const never = () => {
      died();
      return new Promise<void>(() => undefined);
    };
    void tick({ timers: store, now, lookaheadMs: 0, handOn: never });
    await dying;
    const handedOn: WakeUp[] = [];
    for (let minute = 1; minute <= 7; minute++) {
      now += 60_000;
      await tick({
        timers: store,
        now,
        lookaheadMs: 0,
        handOn: async (batch) => void handedOn.push(...batch.map((b) => b.wakeUp)),
      });
    }
    // Assess
    expect(new Set(handedOn.map((w) => w.key)).size).toBe(50);
  });
});

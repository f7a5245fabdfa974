import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { compileJourney } from "../../functions/engine/compile.ts";
import type { Profile, WakeUp } from "../../functions/engine/model.ts";
import { fanOutOccurrence, type OccurrenceWakeUp } from "../../functions/runtime/campaign-fan-out.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, journey, shopEvent } from "../engine/fixtures.ts";
import { freshTable } from "../setup/dynalite.ts";

/**
 * A campaign occurrence's fan-out (functions/runtime/campaign-fan-out.ts) over the segment's index and the
 * members' profiles, on the memory store and on DynamoDB (dynalite), the same code the platform runs.
 */
const memberDay = compileJourney(
  journey({
    id: "member-day",
    trigger: { type: "schedule", schedule: "cron(0 10 ? * FRI *)", timezone: "user", segment: "silver-and-above" },
    start: "hello",
    steps: [{ id: "hello", type: "send", channel: "push", template: "hello" }],
    templates: { hello: { "zh-CN": "会员日快乐" } },
  }),
);

const ZONES = ["Asia/Shanghai", "Europe/London", "America/Los_Angeles", undefined];
const MEMBERS = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(2, "0")}`);

const entered = (userId: string): ShopEvent =>
  shopEvent("segment.entered", "2026-12-01T00:00:00Z", { userId, segment: "silver-and-above" }, `seg-${userId}`);

const profileOf = (userId: string, index: number): Profile => {
  const timezone = ZONES[index % ZONES.length];
  return { userId, attributes: {}, consent: {}, orderCount: 1, totalSpent: 600, ...(timezone ? { timezone } : {}) };
};

/** The store, with the wake-ups it was asked to schedule recorded as they go to it. */
async function prepared(store: JourneyStore) {
  for (const [index, userId] of MEMBERS.entries())
    await store.putUser(userId, { profile: profileOf(userId, index) }, undefined);
  await store.indexSegmentChanges([...MEMBERS.map(entered), entered("u99")]);
  // u99 left the segment again: not listed.
  await store.indexSegmentChanges([
    shopEvent("segment.exited", "2026-12-02T00:00:00Z", { userId: "u99", segment: "silver-and-above" }, "out-u99"),
  ]);
  const scheduled: WakeUp[] = [];
  const schedule = store.scheduleWakeUp.bind(store);
  const recording = Object.assign(Object.create(store) as JourneyStore, {
    scheduleWakeUp: (wakeUp: WakeUp) => {
      scheduled.push(wakeUp);
      return schedule(wakeUp);
    },
  });
  return { store: recording, scheduled };
}

const OCCURRENCE: OccurrenceWakeUp = {
  kind: "occurrence",
  journeyId: "member-day",
  key: "@campaign",
  at: "2026-12-03T20:00:00Z",
  occurrence: "2026-12-04T10:00",
};

describe.each([
  ["the memory store", async () => new MemoryStore()],
  [
    "DynamoDB",
    async () => {
      const { client, tableName } = await freshTable();
      return new DynamoDbStore(client, { tableName, clock: () => at("2026-12-03T20:00:00Z") });
    },
  ],
])("a campaign occurrence's fan-out on %s", (_name, newStore) => {
  it("gives each member a wake-up at 10:00 in their own zone (the default zone for none), then arms next Friday", async () => {
    // Prepare
    const { store, scheduled } = await prepared(await newStore());

    // Act
    const report = await fanOutOccurrence({
      store,
      journey: memberDay,
      wakeUp: OCCURRENCE,
      now: at(OCCURRENCE.at),
      defaultZone: "Asia/Shanghai",
    });

    // Assess
    expect(report.audience).toBe(40);
    expect([...report.scheduled].sort()).toEqual(MEMBERS);
    const byUser = new Map(scheduled.filter((w) => w.kind === "campaign").map((w) => [w.key, w.at]));
    expect([byUser.get("u00"), byUser.get("u01"), byUser.get("u02"), byUser.get("u03")]).toEqual([
      "2026-12-04T02:00:00Z",
      "2026-12-04T10:00:00Z",
      "2026-12-04T18:00:00Z",
      "2026-12-04T02:00:00Z",
    ]);
    expect(scheduled.filter((w) => w.kind === "occurrence")).toEqual([
      { ...OCCURRENCE, at: "2026-12-10T20:00:00Z", occurrence: "2026-12-11T10:00" },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { compileJourney } from "../../functions/engine/compile.ts";
import type { Profile, WakeUp } from "../../functions/engine/model.ts";
import {
  fanOutOccurrence,
  memberEntries,
  type OccurrenceWakeUp,
  raisedOccurrenceWakeUp,
} from "../../functions/runtime/campaign-fan-out.ts";
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

/** Each member's entry among the wake-ups: groups of members at an instant, each member once. */
const entriesOf = (wakeUps: readonly WakeUp[]) =>
  wakeUps.flatMap((w) => (w.kind === "entries" ? memberEntries(w) : w.kind === "campaign" ? [w] : []));

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
    const byUser = new Map(entriesOf(scheduled).map((w) => [w.key, w.at]));
    expect([byUser.get("u00"), byUser.get("u01"), byUser.get("u02"), byUser.get("u03")]).toEqual([
      "2026-12-04T02:00:00Z",
      "2026-12-04T10:00:00Z",
      "2026-12-04T18:00:00Z",
      "2026-12-04T02:00:00Z",
    ]);
    expect(scheduled.filter((w) => w.kind === "occurrence")).toEqual([
      { ...OCCURRENCE, at: "2026-12-10T20:00:00Z", occurrence: "2026-12-11T10:00" },
    ]);
    // One timer per instant for the page's members (three instants: Shanghai and the default, London, LA).
    const groups = scheduled.filter((w) => w.kind === "entries").map((w) => w.members.length);
    expect(groups.sort((a, b) => a - b)).toEqual([10, 10, 20]);
  });
});

describe.each([
  ["the memory store", async () => new MemoryStore()],
  [
    "DynamoDB (16 parts)",
    async () => {
      const { client, tableName } = await freshTable();
      return new DynamoDbStore(client, { tableName, clock: () => at("2026-12-03T20:00:00Z") });
    },
  ],
])(
  "a campaign occurrence raised by EventBridge Scheduler, fanned out in parts through a queue, on %s",
  (_name, newStore) => {
    it("hands on one wake-up per part of the index, then one per page, and gives every member one entry; arms nothing", async () => {
      // Prepare: pages of 3 members, so that each part of 40 members is a chain of pages; a queue in between.
      const { store, scheduled } = await prepared(await newStore());
      const queue: OccurrenceWakeUp[] = [];
      const setting = {
        handOnParts: async (parts: OccurrenceWakeUp[]) => void queue.push(...parts),
        armsNext: false,
        pageSize: 3,
      };
      const request = { store, journey: memberDay, now: at(OCCURRENCE.at), defaultZone: "Asia/Shanghai", ...setting };

      // Act: the occurrence, then each message the queue delivers, as the ingest function would take them.
      const first = await fanOutOccurrence({ ...request, wakeUp: OCCURRENCE });
      const parts = [...queue];
      let pages = 0;
      for (let wakeUp = queue.shift(); wakeUp !== undefined; wakeUp = queue.shift()) {
        const report = await fanOutOccurrence({ ...request, wakeUp });
        expect(report.audience).toBeLessThanOrEqual(3);
        pages++;
      }

      // Assess
      expect(first).toMatchObject({ audience: 0, handedOn: store.segmentParts() });
      expect(parts.map((p) => p.part)).toEqual(Array.from({ length: store.segmentParts() }, (_, i) => i));
      const entries = entriesOf(scheduled);
      expect(entries.map((w) => w.key).sort()).toEqual(MEMBERS);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(MEMBERS.length / 3));
      // Scheduler raises the next occurrence: the fan-out arms none.
      expect(scheduled.filter((w) => w.kind === "occurrence")).toEqual([]);
    });
  },
);

describe("the occurrence EventBridge Scheduler raised", () => {
  it("is the campaign's occurrence whose fan-out falls at the scheduled time; another time is none", () => {
    // Prepare / Act / Assess: member-day is raised at Friday 10:00 UTC+14, Thursday 20:00 UTC.
    expect(raisedOccurrenceWakeUp(memberDay, at("2026-12-03T20:00:00Z"))).toEqual(OCCURRENCE);
    expect(raisedOccurrenceWakeUp(memberDay, at("2026-12-03T20:01:00Z"))).toBeUndefined();
    expect(raisedOccurrenceWakeUp(memberDay, at("2026-12-04T02:00:00Z"))).toBeUndefined();
  });
});

describe.each([
  ["the memory store", async () => new MemoryStore()],
  [
    "DynamoDB (a parallel Scan in 16 segments)",
    async () => {
      const { client, tableName } = await freshTable();
      return new DynamoDbStore(client, { tableName, clock: () => at("2026-12-03T20:00:00Z") });
    },
  ],
])("a campaign to every user (no segment), fanned out in parts, on %s", (_name, newStore) => {
  it("lists every user with a profile once, whatever else the table holds", async () => {
    // Prepare: an announcement at 10:00 Shanghai time, to everyone; the store also holds segment entries and
    // a user (u99) with no profile.
    const announcement = compileJourney(
      journey({
        id: "announcement",
        trigger: { type: "schedule", schedule: "at(2026-12-04T10:00:00)", timezone: "Asia/Shanghai" },
        start: "hello",
        steps: [{ id: "hello", type: "send", channel: "push", template: "hello" }],
        templates: { hello: { "zh-CN": "新品上线" } },
      }),
    );
    const { store, scheduled } = await prepared(await newStore());
    const queue: OccurrenceWakeUp[] = [];
    const setting = {
      handOnParts: async (parts: OccurrenceWakeUp[]) => void queue.push(...parts),
      armsNext: false,
      pageSize: 7,
    };
    const wakeUp = {
      ...OCCURRENCE,
      journeyId: "announcement",
      at: "2026-12-04T02:00:00Z",
      occurrence: "2026-12-04T02:00:00Z",
    };
    const request = { store, journey: announcement, now: at(wakeUp.at), defaultZone: "Asia/Shanghai", ...setting };

    // Act
    await fanOutOccurrence({ ...request, wakeUp });
    for (let part = queue.shift(); part !== undefined; part = queue.shift())
      await fanOutOccurrence({ ...request, wakeUp: part });

    // Assess: the forty users, once each, all at 10:00 in Shanghai (the campaign's zone).
    const entries = entriesOf(scheduled);
    expect(entries.map((w) => w.key).sort()).toEqual(MEMBERS);
    expect(new Set(entries.map((w) => w.at))).toEqual(new Set(["2026-12-04T02:00:00Z"]));
  });
});

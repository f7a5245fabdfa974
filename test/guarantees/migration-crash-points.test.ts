import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { type Journey, journeySchema } from "../../functions/language/schema.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { readUserJournal } from "../../functions/runtime/user-journal.ts";
import { withTimerIndex } from "../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { freshTable } from "../setup/dynalite.ts";
import { type CrashPlan, type HarnessResult, runWithCrashes } from "../support/crash-harness.ts";
import { NO_POLICIES } from "../support/policies.ts";

/**
 * Issue 18's migration of runs in flight, at every crash point (the pattern of crash-points.test.ts): the worked
 * example test/fixtures/journeys/migration/ with version 2 deployed while version 1's runs wait, the process
 * dying at an await point (every store and queue call, before and after it) and the input delivered again to a
 * new process. Whatever dies where: each run moves once (one `journey.migrated`, the clean run's), the user's
 * journal has one line for it, and every message of the clean run reaches its channel, none twice.
 */

const FIXTURES = new URL("../fixtures/journeys/migration/", import.meta.url);
const fixture = (name: string): Journey =>
  journeySchema.parse(JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")));
const v1 = fixture("welcome-series.v1.json");
const v2 = fixture("welcome-series.json");

const T0 = Date.parse("2026-11-02T02:00:00Z");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const event = (type: string, at: number, detail: Record<string, unknown>, id: string): ShopEvent => ({
  id,
  source: "shop",
  "detail-type": type,
  time: iso(at),
  detail,
});

/**
 * Version 2 is deployed on day 2. u1 (registered on day 0) waits for its tips and moves at its wake-up (day 3); u2
 * and u3 (day -4) wait for their survey: u2 moves at its order (day 4), u3 at its wake-up (day 6); u4 enters
 * version 2 after the deploy and moves nowhere.
 */
const DEPLOY_AT = T0 + 2 * DAY;
const events: ShopEvent[] = [
  event("user.registered", T0 - 4 * DAY, { userId: "u2" }, "reg-u2"),
  event("user.registered", T0 - 4 * DAY + 60_000, { userId: "u3" }, "reg-u3"),
  event("user.registered", T0, { userId: "u1" }, "reg-u1"),
  event("user.registered", T0 + 2.5 * DAY, { userId: "u4" }, "reg-u4"),
  event("order.placed", T0 + 4 * DAY, { userId: "u2", orderId: "o-2", amount: 150 }, "o-2"),
];
const MOVED = ["u1", "u2", "u3"];

let virtualNow = 0;
const run = (store: JourneyStore, plan?: CrashPlan) =>
  runWithCrashes({
    journeys: [v1],
    deploy: { at: DEPLOY_AT, journeys: [v1, v2] },
    policies: NO_POLICIES,
    store,
    events,
    until: T0 + 20 * DAY,
    onTime: (now) => {
      virtualNow = now;
    },
    ...(plan ? { plan } : {}),
  });

const once =
  (point: string, occurrence: number): CrashPlan =>
  (name, reached) =>
    name === point && reached === occurrence;
const everyPointInTurn: CrashPlan = (_point, _reached, { attempt, step }) => step === attempt;

const migrations = (delivered: Map<string, JourneyEffect>) =>
  [...delivered.values()].filter((effect) => effect.type === "journey.migrated");

/** Each user's journal (all of it proven handed on) as effect ids, and its migration lines. */
async function journalsOf(store: JourneyStore, users: readonly string[]) {
  return Promise.all(
    users.map(async (user) => {
      const { entries, notHandedOn } = await readUserJournal(store, user, [{ id: "welcome-series", key: "userId" }]);
      expect(notHandedOn, user).toEqual([]);
      return {
        user,
        ids: entries.map((e) => e.id).sort(),
        moves: entries.filter((e) => e.type === "journey.migrated").length,
      };
    }),
  );
}

async function expectSameAsClean(clean: HarnessResult, store: JourneyStore, crashed: HarnessResult) {
  expect(crashed.conflicts).toEqual([]);
  expect([...crashed.delivered.keys()].sort()).toEqual([...clean.delivered.keys()].sort());
  for (const [id, effect] of clean.delivered) expect(crashed.delivered.get(id)).toEqual(effect);
  const users = ["u1", "u2", "u3", "u4"];
  const journals = await journalsOf(store, users);
  for (const { user, ids, moves } of journals) {
    const delivered = [...crashed.delivered.values()]
      .filter((e) => e.user === user)
      .map((e) => e.id)
      .sort();
    expect(ids, user).toEqual(delivered);
    expect(moves, user).toBe(MOVED.includes(user) ? 1 : 0);
  }
}

describe("migration at every crash point on the in-memory store", () => {
  let clean: HarnessResult;
  beforeAll(async () => {
    clean = await run(new MemoryStore());
  });

  it("runs clean: each run of version 1 moves once, by its wake-up or its order", () => {
    expect(
      migrations(clean.delivered)
        .map((e) => (e.type === "journey.migrated" ? `${e.user} ${e.from.step}->${e.to}` : ""))
        .sort(),
    ).toEqual(["u1 wait-3-days->wait-2-days", "u2 wait-7-days->wait-for-order", "u3 wait-7-days->wait-for-order"]);
    const sent = [...clean.delivered.values()].flatMap((e) =>
      e.type === "message.sent" ? [`${e.user} v${e.version} ${e.template}`] : [],
    );
    expect(sent.sort()).toEqual([
      "u1 v1 welcome",
      "u1 v2 survey",
      "u1 v2 tips",
      "u2 v1 tips",
      "u2 v1 welcome",
      "u2 v2 thanks",
      "u3 v1 tips",
      "u3 v1 welcome",
      "u3 v2 survey",
      "u4 v2 survey",
      "u4 v2 tips",
      "u4 v2 welcome",
    ]);
    expect(clean.handedOn).toBe(clean.delivered.size);
  });

  it("dies once at every await point, each time it is reached, and ends as the clean run", async () => {
    const points = [...clean.points].flatMap(([point, count]) =>
      Array.from({ length: count }, (_, index) => ({ point, occurrence: index + 1 })),
    );
    for (const { point, occurrence } of points) {
      const store = new MemoryStore();
      const crashed = await run(store, once(point, occurrence));
      expect(crashed.crashes, `${point} #${occurrence}`).toBe(1);
      await expectSameAsClean(clean, store, crashed);
    }
    expect(new Set(points.map((p) => p.point)).size).toBeGreaterThanOrEqual(20);
  });

  it("dies at every point in turn, over and over, and still ends as the clean run", async () => {
    const store = new MemoryStore();
    const crashed = await run(store, everyPointInTurn);
    expect(crashed.crashes).toBeGreaterThan(20);
    await expectSameAsClean(clean, store, crashed);
  });
});

describe("migration at every crash point on DynamoDB (dynalite)", () => {
  let clean: HarnessResult;
  beforeAll(async () => {
    clean = await run(new MemoryStore());
  });
  const dynamoStore = async () => {
    const { client, tableName } = await freshTable();
    return withTimerIndex(new DynamoDbStore(client, { tableName, clock: () => virtualNow, consistentReads: true }));
  };

  it("dies once at each await point (the first time it is reached), and ends as the clean run", async () => {
    const points = [...clean.points.keys()];
    for (const point of points) {
      const store = await dynamoStore();
      const crashed = await run(store, once(point, 1));
      await expectSameAsClean(clean, store, crashed);
    }
    expect(points.length).toBeGreaterThanOrEqual(20);
  });

  it("dies at every point in turn, and still ends as the clean run", async () => {
    const store = await dynamoStore();
    const crashed = await run(store, everyPointInTurn);
    expect(crashed.crashes).toBeGreaterThan(20);
    await expectSameAsClean(clean, store, crashed);
  });
});

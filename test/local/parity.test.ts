import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { type SimulationLine, simulate } from "../../functions/simulator/simulate.ts";
import { event, journeyFrom, loadSeedJourneys, platformPolicies } from "../scenarios/helpers.ts";
import { handedOnJournal } from "../support/journal.ts";
import { until } from "../support/until.ts";

/**
 * Parity: the same event file through `nudge simulate` and through the running local platform (events
 * published with the AWS SDK at their own times, on a virtual clock) gives the same effects, ids and texts.
 */

const FIRST_MONTH = readFileSync(new URL("../../events/examples/first-month.ndjson", import.meta.url), "utf8");
/** The first week: the welcomes, guides, goals, review requests and coupon nudges of first-month.ndjson. */
const UNTIL = "2026-11-09T00:00:00Z";

/** A fixture journey whose audience is a profile attribute only `user.updated` sets (no journey listens to it). */
const goldThanks = journeyFrom({
  id: "gold-thanks",
  version: 1,
  name: "Thanks to gold members",
  trigger: { type: "event", pattern: { "detail-type": ["order.delivered"] } },
  audience: { profile: { attributes: { tier: ["gold"] } } },
  reentry: { type: "never" },
  start: "thanks",
  steps: [{ id: "thanks", type: "send", channel: "push", template: "thanks", category: "service" }],
  templates: {
    thanks: { "zh-CN": "尊敬的{{ profile.attributes.tier }}会员，订单 {{ trigger.detail.orderId }} 已送达。" },
  },
});

const LINES = [
  ...FIRST_MONTH.split("\n"),
  event("user.updated", "2026-11-03T08:00:00Z", { userId: "u-1001", attributes: { tier: "gold" } }, "evt-tier"),
];

const running: LocalPlatform[] = [];
afterEach(async () => {
  for (const platform of running.splice(0)) await platform.stop();
});

/** What an effect is, for comparing: its id and type, and a message's text. */
const summary = (effects: { id: string; type: string; text?: unknown }[]) =>
  effects
    .map((effect) => `${effect.id} ${effect.type}${effect.text === undefined ? "" : ` ${String(effect.text)}`}`)
    .sort();

/**
 * Publishes the events to the platform at their own times, moving its clock through every time something
 * happens (the events' and the simulation's effects' times) and letting it catch up at each. Returns the
 * ids EventBridge gave each published event, mapped to the file's ids.
 */
async function publishThrough(platform: LocalPlatform, clock: { now: number }, events: ShopEvent[], times: number[]) {
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const fileIdOf = new Map<string, string>();
  try {
    for (const time of times) {
      clock.now = time;
      for (const shopEvent of events.filter((e) => Date.parse(e.time) === time)) {
        const entry = {
          Source: shopEvent.source,
          DetailType: shopEvent["detail-type"],
          Detail: JSON.stringify(shopEvent.detail),
          Time: new Date(shopEvent.time),
        };
        const output = await client.send(new PutEventsCommand({ Entries: [entry] }));
        const assigned = output.Entries?.[0]?.EventId;
        if (assigned !== undefined) fileIdOf.set(assigned, shopEvent.id);
      }
      // Twice: the tick takes what fell due, the functions process it and whatever it emits.
      for (let round = 0; round < 2; round++) {
        if (!(await until(() => platform.tickedUpTo() >= time))) throw new Error(`the tick never reached ${time}`);
        await platform.settled();
      }
    }
  } finally {
    client.destroy();
  }
  return fileIdOf;
}

describe("simulate and the local platform", () => {
  it("give the same effect ids and texts for the first month's file and a journey whose audience user.updated sets", async () => {
    // Prepare
    const journeys = [...loadSeedJourneys(), goldThanks];
    const policies = platformPolicies();
    const simulated: SimulationLine[] = [];
    const events: ShopEvent[] = [];
    await simulate({
      journeys,
      lines: LINES,
      until: Date.parse(UNTIL),
      policies,
      onLine: (line) => simulated.push(line),
    });
    for (const line of LINES) {
      if (line.trim() === "") continue;
      const raw = JSON.parse(line) as ShopEvent;
      if (!events.some((known) => known.id === raw.id)) events.push(raw);
    }
    const times = [...new Set([...events.map((e) => Date.parse(e.time)), ...simulated.map((l) => Date.parse(l.at))])]
      .filter((time) => time <= Date.parse(UNTIL))
      .sort((a, b) => a - b);
    const clock = { now: times[0] ?? 0 };
    const dir = mkdtempSync(join(tmpdir(), "nudge-parity-"));
    const platform = await startLocalPlatform({
      dir,
      journeys,
      policies,
      port: 0,
      clock: () => clock.now,
      tickEveryMs: 20,
    });
    running.push(platform);
    // Act
    const fileIdOf = await publishThrough(platform, clock, events, times);
    const users = [...new Set(simulated.map((line) => line.user))];
    const journaled = (await Promise.all(users.map((user) => handedOnJournal(platform.store, user, journeys)))).flat();
    const texts = new Map(readOutbox(platform.outboxPath).map((line) => [line.id, line.text]));
    // Goal effects are named after the converting event: the platform's, as EventBridge named it.
    const onPlatform = journaled
      .filter((entry) => entry.type !== "profile.updated")
      .map((entry) => ({
        id: entry.id.replace(/goal:(.+)$/, (_, id: string) => `goal:${fileIdOf.get(id) ?? id}`),
        type: entry.type,
        ...(entry.type === "message.sent" ? { text: texts.get(entry.id) } : {}),
      }));
    // Assess
    expect(simulated.some((line) => line.journey === "gold-thanks" && line.type === "message.sent")).toBe(true);
    // The simulator's account of campaign occurrences (campaign.started, .finished) is no effect.
    const simulatedEffects = simulated.filter((line) => !String(line.type).startsWith("campaign."));
    expect(summary(onPlatform)).toEqual(summary(simulatedEffects as never));
    expect(platform.health()).toMatchObject({ records: { failed: 0 } });
  }, 120_000);
});

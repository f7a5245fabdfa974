import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { ShopEvent } from "../events/catalog.ts";
import type { TraitsFile } from "../functions/engine/traits/config.ts";
import type { Journey } from "../functions/language/schema.ts";
import { startLocalPlatform } from "../functions/local/platform.ts";
import { until } from "../test/support/until.ts";
import type { Printing } from "./report-dynamodb.ts";

/**
 * Part 9 (`--only campaign-local`): member day to `members` silver members on the local platform (`npm start`:
 * the real handlers, its DynamoDB, queues and tick). One member is made through the endpoint (a registration and
 * a 600-yuan order); the others are that member's profile copied under other ids, with their segment index
 * entries (set up, not timed). Then the clock is moved to Friday 10:00 in Shanghai, and the wall time is taken
 * until every member's entry is done and their messages are in the outbox (the 5% holdout gets none). The
 * target (issue 16): 100,000 within 5 minutes.
 */

const T0 = Date.parse("2026-11-18T02:00:00Z");
/** Friday 20 November, 10:00 in Shanghai: member day's occurrence, its fan-out due since Thursday 20:00 UTC. */
const OCCURRENCE = Date.parse("2026-11-20T02:00:00Z");
const SEGMENT = "silver-and-above";
const TARGET_MS = 5 * 60_000;
const IN_FLIGHT = 50;

export interface LocalCampaignFigures {
  members: number;
  messages: number;
  setupMs: number;
  sendMs: number;
}

export async function runLocalCampaign(options: {
  journeys: readonly Journey[];
  traits: TraitsFile;
  members: number;
}): Promise<LocalCampaignFigures> {
  const dir = await mkdtemp(join(tmpdir(), "nudge-bench-campaign-"));
  const clock = { now: T0 };
  let messages = 0;
  const platform = await startLocalPlatform({
    dir,
    journeys: options.journeys.filter((j) => j.id === "member-day"),
    traits: options.traits,
    port: 0,
    clock: () => clock.now,
    tickEveryMs: 20,
    onMessage: (line) => {
      if (line.journey === "member-day") messages++;
    },
  });
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  try {
    const started = performance.now();
    const detail = (fields: Record<string, unknown>) => JSON.stringify({ userId: "m-template", ...fields });
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "shop",
            DetailType: "user.registered",
            Detail: detail({ locale: "zh-CN", timezone: "Asia/Shanghai" }),
          },
          {
            Source: "shop",
            DetailType: "order.placed",
            Detail: detail({ orderId: "o-t", amount: 600, currency: "CNY" }),
          },
        ],
      }),
    );
    const store = platform.store;
    const member = async () => (await store.getUser("m-template"))?.value.profile;
    if (!(await until(async () => (await member())?.segments?.includes(SEGMENT) === true, 60_000)))
      throw new Error("bench: the template member never became silver");
    const profile = await member();
    if (profile === undefined) throw new Error("bench: no template profile");
    for (let from = 0; from < options.members - 1; from += IN_FLIGHT) {
      const ids = Array.from({ length: Math.min(IN_FLIGHT, options.members - 1 - from) }, (_, i) => `m-${from + i}`);
      await Promise.all(ids.map((userId) => store.putUser(userId, { profile: { ...profile, userId } }, undefined)));
      const entered: ShopEvent[] = ids.map((userId) => ({
        id: `seg-${userId}`,
        source: "nudge",
        "detail-type": "segment.entered",
        time: "2026-11-18T02:00:00Z",
        detail: { userId, segment: SEGMENT },
      }));
      await store.indexSegmentChanges(entered);
    }
    const setupMs = performance.now() - started;

    // Friday 10:00 in Shanghai: the tick takes the fan-out, which schedules every entry at the clock's time; the
    // clock then moves past the tick's lookahead and settle time so that the entries are taken too.
    const sending = performance.now();
    clock.now = OCCURRENCE;
    await until(() => platform.tickedUpTo() >= clock.now, 60_000);
    await platform.settled(600_000);
    clock.now = OCCURRENCE + 10 * 60_000;
    // Every member entered (the 5% holdout gets no message): the tick has taken all that is due and no queue holds
    // anything due now.
    await until(() => platform.tickedUpTo() >= clock.now, 30 * 60_000);
    await platform.settled(30 * 60_000);
    const sendMs = performance.now() - sending;
    return { members: options.members, messages, setupMs, sendMs };
  } finally {
    client.destroy();
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function localCampaignPart(
  options: { journeys: readonly Journey[]; traits: TraitsFile | undefined; members: number },
  { fmt, mark }: Printing,
) {
  if (options.traits === undefined) throw new Error("bench: --only campaign-local needs journeys/traits.json");
  console.log(
    `\n9. Member day on the local platform (npm start: the real handlers, its DynamoDB, queues and tick): ${fmt(options.members)} silver members`,
  );
  const figures = await runLocalCampaign({ ...options, traits: options.traits });
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `   set up in ${seconds(figures.setupMs)} s (not timed); ${fmt(figures.messages)} member-day messages in the outbox ` +
      `${seconds(figures.sendMs)} s after the occurrence; target: 100,000 within 5 minutes: ` +
      (figures.members >= 100_000
        ? mark(figures.sendMs < TARGET_MS && figures.messages >= figures.members * 0.9)
        : "not at 100,000"),
  );
  return figures;
}

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
 * target (issue 16): 100,000 within 5 minutes. Meanwhile new users register through the endpoint, one every
 * PROBE_GAP_MS of wall time, and each one's welcome (`new-user-coupon`, loaded beside member day) is timed from
 * its PutEvents to its line in the outbox: a campaign's backlog must not delay a journey's message (issue 16).
 */

const T0 = Date.parse("2026-11-18T02:00:00Z");
/** Friday 20 November, 10:00 in Shanghai: member day's occurrence, its fan-out due since Thursday 20:00 UTC. */
const OCCURRENCE = Date.parse("2026-11-20T02:00:00Z");
const SEGMENT = "silver-and-above";
const TARGET_MS = 5 * 60_000;
const IN_FLIGHT = 50;
/** Registrations during the send: this many, this far apart (wall time). */
const PROBES = 20;
const PROBE_GAP_MS = 2_000;

export interface LocalCampaignFigures {
  members: number;
  messages: number;
  setupMs: number;
  sendMs: number;
  /** Each registration's welcome during the send: ms from its PutEvents to its outbox line (none: never came). */
  welcomeMs: (number | undefined)[];
}

/** Registrations published during the send, and when each one's welcome reached the outbox. */
class WelcomeProbes {
  private readonly sentAt = new Map<string, number>();
  private readonly arrivedAt = new Map<string, number>();

  arrived(userId: string): void {
    if (!this.arrivedAt.has(userId)) this.arrivedAt.set(userId, performance.now());
  }

  /** Publishes PROBES registrations PROBE_GAP_MS apart, or fewer if `sending()` turns false first. */
  async publish(client: EventBridgeClient, sending: () => boolean): Promise<void> {
    for (let i = 0; i < PROBES && sending(); i++) {
      const userId = `probe-${i}`;
      this.sentAt.set(userId, performance.now());
      const Detail = JSON.stringify({ userId, locale: "zh-CN", timezone: "Asia/Shanghai" });
      await client.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "user.registered", Detail }] }));
      await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
    }
  }

  latencies(): (number | undefined)[] {
    return [...this.sentAt].map(([userId, sent]) => {
      const arrived = this.arrivedAt.get(userId);
      return arrived === undefined ? undefined : arrived - sent;
    });
  }
}

export async function runLocalCampaign(options: {
  journeys: readonly Journey[];
  traits: TraitsFile;
  members: number;
}): Promise<LocalCampaignFigures> {
  const dir = await mkdtemp(join(tmpdir(), "nudge-bench-campaign-"));
  const clock = { now: T0 };
  let messages = 0;
  const probes = new WelcomeProbes();
  const platform = await startLocalPlatform({
    dir,
    journeys: options.journeys.filter((j) => j.id === "member-day" || j.id === "new-user-coupon"),
    traits: options.traits,
    port: 0,
    clock: () => clock.now,
    tickEveryMs: 20,
    onMessage: (line) => {
      if (line.journey === "member-day") messages++;
      else if (line.journey === "new-user-coupon" && line.user.startsWith("probe-")) probes.arrived(line.user);
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
    let sent = false;
    const probing = probes.publish(client, () => !sent);
    await until(() => platform.tickedUpTo() >= clock.now, 60_000);
    await platform.settled(600_000);
    clock.now = OCCURRENCE + 10 * 60_000;
    // Every member entered (the 5% holdout gets no message): the tick has taken all that is due and no queue holds
    // anything due now.
    await until(() => platform.tickedUpTo() >= clock.now, 30 * 60_000);
    await platform.settled(30 * 60_000);
    const sendMs = performance.now() - sending;
    sent = true;
    await probing;
    // The last registrations' welcomes, published as the send ended, get the settle time to arrive.
    await platform.settled(60_000);
    return { members: options.members, messages, setupMs, sendMs, welcomeMs: probes.latencies() };
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
  const came = figures.welcomeMs.filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
  const at = (q: number) => came[Math.min(came.length - 1, Math.ceil(q * came.length) - 1)] ?? Number.NaN;
  console.log(
    `   new users registering during the send: ${came.length} of ${figures.welcomeMs.length} welcomes in the outbox, ` +
      `PutEvents to outbox p50 ${seconds(at(0.5))} s, max ${seconds(at(1))} s; ` +
      `target: the campaign's backlog delays no welcome (within 5 s): ${mark(came.length === figures.welcomeMs.length && at(1) <= 5_000)}`,
  );
  return figures;
}

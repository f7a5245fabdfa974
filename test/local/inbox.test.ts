import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import { signInboxToken } from "../../functions/channels/inbox-token.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { NO_POLICIES } from "../support/policies.ts";
import { until } from "../support/until.ts";

/** 10:00 in Shanghai. */
const T0 = Date.parse("2026-11-18T02:00:00Z");
const SECRET = "the-shop-backend-and-nudge-share-this";
const PAGE = "http://localhost:3000";

const running: LocalPlatform[] = [];
const clients: EventBridgeClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const platform of running.splice(0)) await platform.stop();
});

/** The local platform with the shipped journeys, and the shop's two sides: its backend's events, its page's requests. */
async function start() {
  const clock = { now: T0 };
  const platform = await startLocalPlatform({
    dir: mkdtempSync(join(tmpdir(), "nudge-inbox-")),
    journeys: loadSeedJourneys(),
    policies: NO_POLICIES,
    port: 0,
    clock: () => clock.now,
    tickEveryMs: 20,
    inboxSecret: SECRET,
  });
  running.push(platform);
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  clients.push(client);
  const put = async (entries: PutEventsRequestEntry[]) => {
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    expect(output.FailedEntryCount).toBe(0);
  };
  const token = (userId: string) => signInboxToken(SECRET, { userId, expiresAt: Math.floor(clock.now / 1000) + 900 });
  /** What the shop's page does: a request from its origin with the user's token. */
  const page = (path: string, init: { method?: string; userId?: string } = {}) =>
    fetch(`${platform.url}${path}`, {
      method: init.method ?? "GET",
      headers: {
        origin: PAGE,
        ...(init.userId === undefined ? {} : { authorization: `Bearer ${token(init.userId)}` }),
      },
    });
  return { platform, put, page };
}

const event = (type: string, detail: Record<string, unknown>): PutEventsRequestEntry => ({
  Source: "shop",
  DetailType: type,
  Detail: JSON.stringify(detail),
});

describe("the inbox on the local platform", () => {
  it("shows new-user-coupon's pop-up to its user on the order page, takes their click as an event, and hides it once the coupon is redeemed", async () => {
    // Prepare: a registration; the pop-up reaches the inbox
    const { platform, put, page } = await start();
    await put([event("user.registered", { userId: "u-1", locale: "zh-CN", timezone: "Asia/Shanghai" })]);
    await until(() => readOutbox(platform.outboxPath).some((line) => line.template === "welcome-coupon-popup"));
    const popupLine = readOutbox(platform.outboxPath).find((line) => line.template === "welcome-coupon-popup");

    // Act
    const preflight = await fetch(`${platform.url}/inbox/messages?placement=popup:order-page`, {
      method: "OPTIONS",
      headers: { origin: PAGE, "access-control-request-method": "GET" },
    });
    const shown = await page("/inbox/messages?placement=popup:order-page", { userId: "u-1" });
    const body = (await shown.json()) as { messages: { id: string; text: string; couponId: string }[] };
    const other = (await (await page("/inbox/messages?placement=popup:order-page", { userId: "u-2" })).json()) as {
      messages: unknown[];
    };
    const [message] = body.messages;
    const accepted = platform.health().events.accepted;
    const clicked = await page(`/inbox/messages/${encodeURIComponent(message?.id ?? "")}/clicked`, {
      method: "POST",
      userId: "u-1",
    });
    const afterClick = platform.health().events.accepted;
    await put([event("coupon.redeemed", { userId: "u-1", couponId: message?.couponId, orderId: "SO-1" })]);
    await platform.settled();
    const afterRedeem = (await (
      await page("/inbox/messages?placement=popup:order-page", { userId: "u-1" })
    ).json()) as {
      messages: unknown[];
    };

    // Assess
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(body.messages).toHaveLength(1);
    expect(message).toMatchObject({ id: popupLine?.id, placement: "popup:order-page", priority: 80 });
    expect(message?.text).toContain("NEW");
    expect(message?.couponId).toMatch(/^cpn\./);
    expect(other.messages).toEqual([]);
    expect(clicked.status).toBe(202);
    expect(afterClick).toBe(accepted + 1);
    expect(afterRedeem.messages).toEqual([]);
    expect(platform.health()).toMatchObject({ records: { failed: 0 }, deadLetters: 0 });
  });

  it("refuses a page without a token, and one from an origin the shop did not name", async () => {
    // Prepare
    const { platform, page } = await start();

    // Act
    const noToken = await page("/inbox/messages?placement=popup:order-page");
    const stranger = await fetch(`${platform.url}/inbox/messages?placement=popup:order-page`, {
      headers: { origin: "https://evil.example" },
    });

    // Assess
    expect(noToken.status).toBe(401);
    expect(stranger.status).toBe(403);
  });
});

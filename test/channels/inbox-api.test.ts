import { describe, expect, it } from "vitest";
import { handleInboxRequest, type InboxActionDetail, type InboxRequest } from "../../functions/channels/inbox-api.ts";
import { signInboxToken } from "../../functions/channels/inbox-token.ts";
import { RateLimiter } from "../../functions/channels/rate-limit.ts";
import { fixedSecret } from "../../functions/channels/secret.ts";
import type { InboxMessage } from "../../functions/runtime/ports.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { DynamoDbInbox } from "../../functions/store/dynamodb/inbox.ts";
import { freshTable } from "../setup/dynalite.ts";

const SECRET = "inbox-secret-of-the-test-shop";
const NOW = Date.parse("2026-11-18T02:00:00Z");
const SHOP = "https://shop.example.cn";
const HOUR = 3_600_000;

/** A message as the inbox channel keeps it for new-user-coupon's pop-up. */
const message = (userId: string, id: string, changes: Partial<InboxMessage> = {}): InboxMessage => ({
  id,
  userId,
  journeyId: "new-user-coupon",
  journeyVersion: 2,
  template: "welcome-coupon-popup",
  locale: "zh-CN",
  title: "新人券：立减 20 元，全场包邮",
  text: "下单时使用新人专享券 NEW7KQ2，立减 20 元并包邮。",
  placement: "popup:order-page",
  priority: 80,
  sentAt: new Date(NOW - HOUR).toISOString(),
  expiresAt: new Date(NOW + 7 * 24 * HOUR).toISOString(),
  ...changes,
});

/** The API over a fresh table, on a clock the test moves; what it publishes is kept. */
async function api(options: { origins?: string[]; perMinute?: number; burst?: number } = {}) {
  const { client, tableName } = await freshTable();
  const inbox = new DynamoDbInbox(client, { tableName });
  const store = new DynamoDbStore(client, { tableName });
  const clock = { now: NOW };
  const published: { detailType: string; detail: InboxActionDetail }[] = [];
  const deps = {
    store: inbox,
    secret: fixedSecret(SECRET),
    publish: async (detailType: string, detail: InboxActionDetail) => {
      published.push({ detailType, detail });
    },
    origins: options.origins ?? [SHOP],
    limiter: new RateLimiter({
      perMinute: options.perMinute ?? 60,
      burst: options.burst ?? 20,
      clock: () => clock.now,
    }),
    clock: () => clock.now,
  };
  const token = (userId: string, validForSeconds = 900) =>
    signInboxToken(SECRET, { userId, expiresAt: Math.floor(clock.now / 1000) + validForSeconds });
  const call = async (request: Partial<InboxRequest> & { token?: string }) => {
    const response = await handleInboxRequest(
      {
        method: request.method ?? "GET",
        path: request.path ?? "/inbox/messages",
        query: request.query ?? { placement: "popup:order-page" },
        headers: {
          origin: SHOP,
          ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
          ...request.headers,
        },
      },
      deps,
    );
    return { ...response, json: response.body === "" ? undefined : JSON.parse(response.body) };
  };
  return { inbox, store, clock, published, token, call };
}

const ids = (body: { messages: { id: string }[] }) => body.messages.map((m) => m.id);

describe("the inbox API", () => {
  describe("authorisation", () => {
    it("gives a token's user their own messages, and never another user's, whatever the request names", async () => {
      // Prepare: u_1 and u_2 each have a pop-up
      const { inbox, token, call } = await api();
      await inbox.putInboxMessage(message("u_1", "m-1"));
      await inbox.putInboxMessage(message("u_2", "m-2"));

      // Act: u_1's token, asking as well for u_2 by query, and acting on u_2's message
      const own = await call({ token: token("u_1"), query: { placement: "popup:order-page", userId: "u_2" } });
      const foreign = await call({ method: "POST", path: "/inbox/messages/m-2/dismissed", token: token("u_1") });

      // Assess
      expect(own.status).toBe(200);
      expect(ids(own.json)).toEqual(["m-1"]);
      expect(foreign.status).toBe(404);
      expect(await inbox.getInboxMessage("u_2", "m-2")).not.toHaveProperty("dismissedAt");
    });

    it("refuses a request without a token, with an expired, an altered, a foreign or a long-lived token", async () => {
      // Prepare
      const { inbox, clock, token, call } = await api();
      await inbox.putInboxMessage(message("u_1", "m-1"));
      const expired = token("u_1", 60);
      const good = token("u_1");
      const [payload = "", mac = ""] = good.split(".");
      const otherUser = Buffer.from(JSON.stringify({ sub: "u_2", exp: Math.floor(NOW / 1000) + 900 })).toString(
        "base64url",
      );
      const foreign = signInboxToken("another-secret", { userId: "u_1", expiresAt: Math.floor(NOW / 1000) + 900 });
      clock.now += 2 * 60_000;

      // Act
      const answers = await Promise.all([
        call({}),
        call({ token: expired }),
        call({ token: `${otherUser}.${mac}` }),
        call({ token: `${payload}.${mac.slice(0, -2)}AA` }),
        call({ token: foreign }),
        call({ token: token("u_1", 2 * 24 * 3600) }),
      ]);

      // Assess
      expect(answers.map((a) => [a.status, a.json.error])).toEqual([
        [401, "expected Authorization: Bearer <token>"],
        [401, "the token has expired"],
        [401, "the token is not valid (altered, or not signed with the inbox secret)"],
        [401, "the token is not valid (altered, or not signed with the inbox secret)"],
        [401, "the token is not valid (altered, or not signed with the inbox secret)"],
        [401, "the token is good for more than 86400 seconds: mint short-lived ones"],
      ]);
    });
  });

  describe("CORS", () => {
    it("answers a preflight from the shop's origin without a token, and refuses another origin", async () => {
      // Prepare
      const { call } = await api();

      // Act
      const preflight = await call({ method: "OPTIONS", headers: { "access-control-request-method": "GET" } });
      const stranger = await call({ method: "OPTIONS", headers: { origin: "https://evil.example" } });

      // Assess
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({
        "access-control-allow-origin": SHOP,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "authorization, content-type",
        vary: "Origin",
      });
      expect(stranger.status).toBe(403);
      expect(stranger.headers).not.toHaveProperty("access-control-allow-origin");
    });

    it("names the shop's origin on every answer to it, refusals included, and serves a request with no origin (a server's)", async () => {
      // Prepare
      const { token, call } = await api();

      // Act
      const refused = await call({});
      const served = await call({ token: token("u_1") });
      const server = await call({ token: token("u_1"), headers: { origin: undefined } });

      // Assess
      expect(refused.headers["access-control-allow-origin"]).toBe(SHOP);
      expect(served.headers["access-control-allow-origin"]).toBe(SHOP);
      expect(server.status).toBe(200);
      expect(server.headers).not.toHaveProperty("access-control-allow-origin");
    });
  });

  describe("rate limiting", () => {
    it("refuses a user's requests past the burst with a Retry-After, lets another user through, and lets the first again once a token refilled", async () => {
      // Prepare: bursts of 3, then 6 a minute (one every 10 s)
      const { clock, token, call } = await api({ burst: 3, perMinute: 6 });
      const u1 = token("u_1");

      // Act
      const burst = [];
      for (let i = 0; i < 4; i++) burst.push((await call({ token: u1 })).status);
      const refused = await call({ token: u1 });
      const other = await call({ token: token("u_2") });
      clock.now += 10_000;
      const later = await call({ token: u1 });

      // Assess
      expect(burst).toEqual([200, 200, 200, 429]);
      expect(refused.headers["retry-after"]).toBe("10");
      expect(other.status).toBe(200);
      expect(later.status).toBe(200);
    });
  });

  describe("what shows", () => {
    it("shows a placement's messages highest priority first, and no longer once expired, dismissed or their coupon redeemed", async () => {
      // Prepare: four pop-ups and a home card; one expiring in an hour, one offering a coupon
      const { inbox, store, clock, token, call } = await api();
      await inbox.putInboxMessage(message("u_1", "low", { priority: 10 }));
      await inbox.putInboxMessage(message("u_1", "high", { priority: 90 }));
      await inbox.putInboxMessage(message("u_1", "soon", { expiresAt: new Date(NOW + HOUR).toISOString() }));
      await inbox.putInboxMessage(message("u_1", "coupon", { couponId: "cpn.new-user-coupon.2.issue.abc" }));
      await inbox.putInboxMessage(message("u_1", "card", { placement: "card:home" }));

      // Act
      const first = await call({ token: token("u_1") });
      const dismissed = await call({ method: "POST", path: "/inbox/messages/high/dismissed", token: token("u_1") });
      await store.recordRedemption({
        couponId: "cpn.new-user-coupon.2.issue.abc",
        userId: "u_1",
        orderId: "SO-1",
        redeemedAt: new Date(NOW).toISOString(),
      });
      clock.now += 2 * HOUR;
      const later = await call({ token: token("u_1") });

      // Assess: by priority, then newest first (the same here), then by id; the home card is another placement's
      expect(ids(first.json)).toEqual(["high", "coupon", "soon", "low"]);
      expect(first.json.messages[0]).toEqual({
        id: "high",
        placement: "popup:order-page",
        priority: 90,
        expiresAt: message("u_1", "high").expiresAt,
        locale: "zh-CN",
        title: "新人券：立减 20 元，全场包邮",
        text: "下单时使用新人专享券 NEW7KQ2，立减 20 元并包邮。",
      });
      expect(dismissed.status).toBe(202);
      expect(ids(later.json)).toEqual(["low"]);
    });

    it("refuses a placement that is not <kind>:<place>, and a message id that is not valid percent-encoding", async () => {
      // Prepare
      const { token, call } = await api();

      // Act
      const answer = await call({ token: token("u_1"), query: { placement: "order page" } });
      const broken = await call({ method: "POST", path: "/inbox/messages/%E0%A4%A/seen", token: token("u_1") });

      // Assess
      expect(answer.status).toBe(400);
      expect(broken.status).toBe(400);
    });
  });

  describe("seen, clicked, dismissed", () => {
    it("publishes each as an inbox.message_* event with the message's user, placement, journey and coupon", async () => {
      // Prepare
      const { inbox, published, token, call } = await api();
      await inbox.putInboxMessage(message("u_1", "m-1", { couponId: "cpn-9" }));

      // Act
      const statuses = [];
      for (const action of ["seen", "clicked", "dismissed"])
        statuses.push(
          (await call({ method: "POST", path: `/inbox/messages/m-1/${action}`, token: token("u_1") })).status,
        );
      const wrongMethod = await call({ method: "GET", path: "/inbox/messages/m-1/seen", token: token("u_1") });

      // Assess
      expect(statuses).toEqual([202, 202, 202]);
      expect(wrongMethod.status).toBe(405);
      const detail = {
        userId: "u_1",
        messageId: "m-1",
        placement: "popup:order-page",
        journeyId: "new-user-coupon",
        journeyVersion: 2,
        couponId: "cpn-9",
      };
      expect(published).toEqual([
        { detailType: "inbox.message_seen", detail },
        { detailType: "inbox.message_clicked", detail },
        { detailType: "inbox.message_dismissed", detail },
      ]);
    });
  });
});

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../functions/channels/webhook-signature.ts";
import type { Journey } from "../../functions/language/schema.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { receiver } from "../channels/support.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { until } from "../support/until.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");
const DAY = 86_400_000;
const EMAIL = "li.na@example.cn";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The seed journeys with the onboarding guide sent by email (the files send it by push). */
function journeysWithEmailGuide(): Journey[] {
  return loadSeedJourneys().map((journey) =>
    journey.id !== "onboarding-guide"
      ? journey
      : {
          ...journey,
          steps: journey.steps.map((step) => (step.type === "send" ? { ...step, channel: "email" } : step)),
        },
  );
}

async function start(options: { journeys?: Journey[]; webhookUrl?: string; webhookSecret?: string } = {}) {
  const clock = { now: T0 };
  const platform = await startLocalPlatform({
    dir: mkdtempSync(join(tmpdir(), "nudge-channels-")),
    journeys: options.journeys ?? loadSeedJourneys(),
    port: 0,
    clock: () => clock.now,
    tickEveryMs: 20,
    webhookUrl: options.webhookUrl,
    webhookSecret: options.webhookSecret,
  });
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  cleanups.push(async () => {
    client.destroy();
    await platform.stop();
  });
  const register = (userId: string) =>
    client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "shop",
            DetailType: "user.registered",
            Detail: JSON.stringify({ userId, email: EMAIL, locale: "zh-CN", timezone: "Asia/Shanghai" }),
          },
        ],
      }),
    );
  return { clock, platform, register };
}

const outboxLine = (platform: LocalPlatform, template: string, user: string) =>
  readOutbox(platform.outboxPath).find((line) => line.template === template && line.user === user);

describe("local platform channels", () => {
  it("writes a local email as a complete message whose one-click unsubscribe link works: consent changes and the next marketing email is not sent", async () => {
    // Prepare
    const { clock, platform, register } = await start({ journeys: journeysWithEmailGuide() });
    await register("u-mail");
    const first = await until(() => outboxLine(platform, "guide-1", "u-mail"));
    const mail = existsSync(platform.mailPath) ? readFileSync(platform.mailPath, "utf8") : "";
    const link = /^List-Unsubscribe: <(.+)>\r?$/m.exec(mail)?.[1] ?? "";
    // Act: the mail client's RFC 8058 one-click request.
    const answer = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    const consent = await until(async () => (await platform.store.getProfile("u-mail"))?.value.consent.email);
    clock.now += DAY + 60_000; // the second guide falls due
    const suppressed = await until(async () => {
      const day = new Date(clock.now).toISOString().slice(0, 10);
      const sums = (await platform.totals("2026-11-18", day)).get("onboarding-guide");
      return sums?.get("message.suppressed.unsubscribed");
    });
    await platform.settled();
    // Assess: the email, as a mail client reads it.
    expect(first).toMatchObject({ channel: "email", via: "email", to: EMAIL });
    // The outbox line holds the complete message too, as the mbox does.
    expect(first?.raw).toMatch(/^From: Nudge <nudge@localhost>\r?\n/);
    expect(first?.raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(first?.raw).toContain(first?.text ?? "(no text)");
    expect(mail).toMatch(/^From nudge@localhost /);
    expect(mail).toMatch(/^From: Nudge <nudge@localhost>\r?$/m);
    expect(mail).toMatch(new RegExp(`^To: ${EMAIL}\\r?$`, "m"));
    // The template's title is the subject, RFC 2047-encoded as it is not ASCII.
    const subject = `=?UTF-8?B?${Buffer.from("新手指南第 1 课").toString("base64")}?=`;
    expect(mail.split(/\r?\n/)).toContain(`Subject: ${subject}`);
    expect(mail).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(link.startsWith(`${platform.url}/unsubscribe?token=`)).toBe(true);
    expect(mail).toContain(first?.text ?? "(no text)");
    // The unsubscribe went through the bus to the profile, and the next guide was not sent.
    expect(answer.status).toBe(200);
    expect(consent).toMatchObject({ subscribed: false });
    expect(suppressed).toBe(1);
    expect(outboxLine(platform, "guide-2", "u-mail")).toBeUndefined();
    // The welcome (push, no webhook configured) went to the outbox alone.
    expect(outboxLine(platform, "welcome", "u-mail")).toMatchObject({ channel: "push" });
    expect(outboxLine(platform, "welcome", "u-mail")).not.toHaveProperty("via");
  });

  it("refuses a bad unsubscribe link with 400 and puts nothing on the bus", async () => {
    // Prepare
    const { platform } = await start();
    const received = platform.health().events.received;
    // Act
    const answer = await fetch(`${platform.url}/unsubscribe?token=abc.def`, {
      method: "POST",
      body: "List-Unsubscribe=One-Click",
    });
    // Assess
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("cannot be used");
    expect(platform.health().events.received).toBe(received);
  });

  it("POSTs push messages to the webhook URL given, signed with the local secret", async () => {
    // Prepare
    const r = await receiver(() => [200, "ok"]);
    cleanups.push(r.close);
    const { platform, register } = await start({ webhookUrl: r.url, webhookSecret: "local-webhook-secret" });
    // Act
    await register("u-hook");
    const line = await until(() => outboxLine(platform, "welcome", "u-hook"));
    // Assess
    expect(line).toMatchObject({ channel: "push", via: "webhook" });
    const request = r.received.find((got) => JSON.parse(got.body).template === "welcome");
    expect(
      verifyWebhookSignature(
        "local-webhook-secret",
        {
          id: String(request?.headers["webhook-id"]),
          timestamp: String(request?.headers["webhook-timestamp"]),
          signature: String(request?.headers["webhook-signature"]),
        },
        request?.body ?? "",
      ),
    ).toEqual({ ok: true });
  });
});

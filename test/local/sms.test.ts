import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { FAILURE_ATTRIBUTES } from "../../functions/handlers/delivery-queue.ts";
import { journeyFilesIn, loadJourneyFiles } from "../../functions/journey/load.ts";
import { readTemplateLibrary, smsTemplateRefs } from "../../functions/journey/template-library.ts";
import { listLocalDeadLetters } from "../../functions/local/local-dead-letters.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { startLocalPlatform } from "../../functions/local/platform.ts";
import { capture } from "../cli/capture-io.ts";
import { until } from "../support/until.ts";

// 10:00 in Shanghai: no quiet hours.
const NOW = Date.parse("2026-11-18T02:00:00Z");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A journeys folder as an operator's project holds it: a journey that texts each new user, its template file with an sms block. */
function journeysFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "nudge-sms-journeys-"));
  mkdirSync(join(dir, "templates"));
  writeFileSync(
    join(dir, "sms-welcome.json"),
    JSON.stringify({
      id: "sms-welcome",
      version: 1,
      name: "SMS welcome",
      trigger: { type: "event", pattern: { "detail-type": ["user.registered"] } },
      start: "text",
      steps: [{ id: "text", type: "send", channel: "sms", template: "welcome-sms", category: "service" }],
    }),
  );
  writeFileSync(
    join(dir, "templates", "welcome-sms.json"),
    JSON.stringify({
      id: "welcome-sms",
      locales: { "zh-CN": { body: "欢迎 {{ profile.userId }}" }, en: { body: "Welcome {{ profile.userId }}" } },
      sms: { templateCode: "SMS_153055065", params: { user: "{{ profile.userId }}" } },
    }),
  );
  return dir;
}

async function start() {
  const journeysDir = journeysFolder();
  const { journeys } = await loadJourneyFiles(await journeyFilesIn(journeysDir), journeysDir);
  const templates = smsTemplateRefs(await readTemplateLibrary(join(journeysDir, "templates"), journeysDir));
  const dir = mkdtempSync(join(tmpdir(), "nudge-sms-"));
  const platform = await startLocalPlatform({
    dir,
    journeys: journeys.map((loaded) => loaded.journey),
    port: 0,
    clock: () => NOW,
    tickEveryMs: 20,
    sms: { signName: "好物商城", templates },
  });
  const bus = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  cleanups.push(async () => {
    bus.destroy();
    await platform.stop();
  });
  const register = (userId: string, phone: string) =>
    bus.send(
      new PutEventsCommand({
        Entries: [{ Source: "shop", DetailType: "user.registered", Detail: JSON.stringify({ userId, phone }) }],
      }),
    );
  return { dir, journeysDir, platform, register };
}

describe("the local platform's SMS through Alibaba Cloud SMS", () => {
  it("sends through the provider's SDK to the local stand-in, which takes a signed, well-formed SendSms: the outbox has it with its parameters", async () => {
    // Prepare
    const { platform, register } = await start();

    // Act
    await register("u-sms", "13800138000");
    const line = await until(() => readOutbox(platform.outboxPath).find((l) => l.user === "u-sms"));

    // Assess
    expect(line).toMatchObject({
      channel: "sms",
      template: "welcome-sms",
      via: "alibaba-sms",
      params: { user: "u-sms" },
    });
  });

  it("dead-letters an SMS to an invalid number with the provider's code, and `nudge why` says the provider refused it", async () => {
    // Prepare
    const { dir, journeysDir, register } = await start();

    // Act
    await register("u-bad", "12345");
    const letter = await until(() => listLocalDeadLetters(dir)[0]);
    const io = capture();
    await main(["why", "u-bad", "--dir", dir, "--journeys", journeysDir], io);

    // Assess
    expect(letter?.attributes[FAILURE_ATTRIBUTES.code]).toBe("isv.MOBILE_NUMBER_ILLEGAL");
    expect(io.out.find((l) => l.includes("REFUSED"))).toMatch(
      /^ {2}2026-11-18 10:00:\d\d {2}sms-welcome {2}sms "welcome-sms" REFUSED: refused by the provider: isv\.MOBILE_NUMBER_ILLEGAL /,
    );
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import { readOutbox } from "../../functions/local/outbox.ts";
import { REAL_TIME_WAIT_MS, until } from "../support/until.ts";
import { root } from "./capture-io.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** `nudge start` as a process of its own: its endpoint once it says so, its output, and its exit. */
async function nudgeStart(args: string[]) {
  const child = spawn(process.execPath, ["bin/nudge.mjs", "start", "--port", "0", ...args], {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  children.push(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  // "close", not "exit": by then the output is all read.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const endpoint = () => /EventBridge endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  await until(() => endpoint() !== undefined || child.exitCode !== null);
  const url = endpoint();
  if (url === undefined) throw new Error(`nudge start gave no endpoint (exit code ${child.exitCode}): ${output}`);
  return { child, url, exited, output: () => output };
}

/** Registers users in one PutEvents request; the number of entries refused, or undefined if the request failed. */
async function registerAll(url: string, userIds: readonly string[]): Promise<number | undefined> {
  const client = new EventBridgeClient({
    endpoint: url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });
  const entries = userIds.map((userId) => ({
    Source: "shop",
    DetailType: "user.registered",
    Detail: JSON.stringify({ userId, locale: "zh-CN", timezone: "Asia/Shanghai" }),
  }));
  try {
    return (await client.send(new PutEventsCommand({ Entries: entries }))).FailedEntryCount ?? 0;
  } catch {
    return undefined; // the platform died under the request: the shop sends it again
  } finally {
    client.destroy();
  }
}

async function register(url: string, userId: string) {
  const client = new EventBridgeClient({
    endpoint: url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const detail = JSON.stringify({ userId, locale: "zh-CN", timezone: "Asia/Shanghai" });
  const output = await client.send(
    new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "user.registered", Detail: detail }] }),
  );
  client.destroy();
  return output.FailedEntryCount;
}

/** The virtual clock's speed, and how long a virtual day takes at it. */
const SPEED = 2_000;
const REAL_DAY_MS = 86_400_000 / SPEED;

const templatesOf = (dir: string, user: string) =>
  readOutbox(join(dir, "outbox.ndjson"))
    .filter((line) => line.user === user)
    .map((line) => line.template)
    .sort();

describe("nudge start", () => {
  it("survives a kill mid-journey: restarted on the same folder, it sends what is due and nothing twice, and stops cleanly on SIGTERM", async () => {
    // Prepare: a day of virtual time every 43 seconds; a user registered, the first guide out. (Faster, a
    // busy machine falls behind the clock: the timer wheel then walks every virtual minute missed.)
    const dir = mkdtempSync(join(tmpdir(), "nudge-start-"));
    const args = ["--dir", dir, "--speed", String(SPEED)];
    const first = await nudgeStart([...args, "--start", "2026-11-18T02:00:00Z"]);
    expect(await register(first.url, "u-1")).toBe(0);
    // (The outbox line and the printed line are written apart: wait for both.)
    const guideOnePrinted = /onboarding-guide → u-1 \(push\/guide-1\)/;
    await until(() => templatesOf(dir, "u-1").includes("guide-1") && guideOnePrinted.test(first.output()));
    expect(first.output()).toMatch(guideOnePrinted);
    // Act: killed outright, then started again on the same folder.
    first.child.kill("SIGKILL");
    await first.exited;
    const second = await nudgeStart(args);
    // Guide 2 falls due a virtual day after guide 1.
    await until(() => templatesOf(dir, "u-1").includes("guide-2"), REAL_DAY_MS + REAL_TIME_WAIT_MS);
    second.child.kill("SIGTERM");
    const code = await second.exited;
    // Assess
    expect(templatesOf(dir, "u-1")).toEqual(["guide-1", "guide-2", "welcome", "welcome-coupon-popup"]);
    expect(code).toBe(0);
    expect(second.output()).toContain("Stopped. State kept in");
  });

  it("killed 4 times while 150 users register: every user gets exactly one welcome, with one coupon", async () => {
    // Prepare: 150 users in batches of 10, a kill -9 after every third batch (4 in all), mid-stream: the
    // platform is still deciding and delivering the batches before.
    const dir = mkdtempSync(join(tmpdir(), "nudge-kills-"));
    const args = ["--dir", dir, "--speed", String(SPEED)];
    const users = Array.from({ length: 150 }, (_, i) => `k-${String(i + 1).padStart(3, "0")}`);
    let platform = await nudgeStart([...args, "--start", "2026-11-18T02:00:00Z"]);
    let kills = 0;
    // Act
    for (let batch = 0; batch * 10 < users.length; batch++) {
      const ids = users.slice(batch * 10, batch * 10 + 10);
      while ((await registerAll(platform.url, ids)) !== 0) {
        // Refused or cut off by a death: sent again (a user registered twice enters once).
      }
      if (batch % 3 === 2 && kills < 4) {
        platform.child.kill("SIGKILL");
        await platform.exited;
        kills++;
        platform = await nudgeStart(args);
      }
    }
    const welcomes = () => readOutbox(join(dir, "outbox.ndjson")).filter((line) => line.template === "welcome");
    // A busy machine takes longer to register them all: the last may fall in the quiet hours (21:00-09:00 in
    // Shanghai, half a virtual day at most), their welcome deferred to the morning.
    await until(
      () => new Set(welcomes().map((line) => line.user)).size === users.length,
      REAL_DAY_MS + REAL_TIME_WAIT_MS,
    );
    platform.child.kill("SIGTERM");
    await platform.exited;
    // Assess: one welcome per user (no loss, no second run), each with its own coupon code.
    const byUser = new Map<string, string[]>();
    for (const line of welcomes()) byUser.set(line.user, [...(byUser.get(line.user) ?? []), line.text]);
    const codes = [...byUser.values()].flat().map((text) => /券码 (\S+?)，/.exec(text)?.[1]);
    expect(kills).toBe(4);
    expect([...byUser.keys()].sort()).toEqual(users);
    expect([...byUser.values()].every((texts) => texts.length === 1)).toBe(true);
    expect(new Set(codes).size).toBe(users.length);
    expect(codes.every((code) => code !== undefined)).toBe(true);
  });
});

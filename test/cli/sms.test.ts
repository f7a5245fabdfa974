import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { capture, root } from "./capture-io.ts";

const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/**
 * An operator's project: the shipped templates and policy, and one journey of the shipped ones with its
 * send steps on `sms` (the shipped `expiring` template has an sms block).
 */
function project(journeyId: string, edit: (journey: Record<string, unknown>) => void = () => undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "nudge-sms-cli-"));
  projects.push(dir);
  mkdirSync(join(dir, "journeys"));
  cpSync(join(root, "journeys/templates"), join(dir, "journeys/templates"), { recursive: true });
  cpSync(join(root, "journeys/policy.json"), join(dir, "journeys/policy.json"));
  const text = readFileSync(join(root, "journeys", `${journeyId}.json`), "utf8").replaceAll(
    '"channel": "push"',
    '"channel": "sms"',
  );
  const journey = JSON.parse(text) as Record<string, unknown>;
  edit(journey);
  writeFileSync(join(dir, "journeys", `${journeyId}.json`), JSON.stringify(journey));
  writeFileSync(
    join(dir, "profile.json"),
    JSON.stringify({ userId: "u1", locale: "zh-CN", timezone: "Asia/Shanghai", phone: "13800138000" }),
  );
  return dir;
}

describe("nudge preview and validate with an sms block", () => {
  it("preview prints the SMS parameters the engine would render, after the body", async () => {
    // Prepare
    const dir = project("coupon-expiry-nudge");
    const io = capture(dir);

    // Act
    const code = await main(["preview", "coupon-expiry-nudge", "send-expiry-nudge", "--user", "profile.json"], io);

    // Assess
    expect(code).toBe(0);
    const params = io.out
      .join("\n")
      .split("\n")
      .filter((line) => line.startsWith("param:"));
    expect(params).toEqual([
      "param:    amount = 20",
      expect.stringMatching(/^param: {4}code = \S+$/),
      expect.stringMatching(/^param: {4}expiresAt = \d{1,2}月\d{1,2}日 \d\d:\d\d$/),
    ]);
  });

  it("validate reports an SMS parameter that can never be filled in the journey that texts it", async () => {
    // Prepare: the expiry template texted on registration, whose event has no coupon code.
    const dir = project("onboarding-guide", (journey) => {
      const steps = journey.steps as { type: string; template?: string }[];
      for (const step of steps) if (step.type === "send") step.template = "expiring";
    });
    const io = capture(dir);

    // Act
    const code = await main(["validate", "journeys/onboarding-guide.json"], io);

    // Assess
    expect(code).toBe(1);
    expect(io.err.join("\n")).toContain(
      'sms param "code": "trigger.detail.code" can never be filled: "code" is not a field of user.registered',
    );
  });
});

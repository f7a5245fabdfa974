import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { validateCommand } from "../../functions/cli/validate.ts";
import { isJourneyFileName } from "../../functions/journey/load.ts";
import { loadTraitsFile } from "../../functions/journey/traits-file.ts";
import { InvalidJourneyError } from "../../functions/shared/errors.ts";
import { createNudgeApp, validatedJourneys } from "../../lib/app.ts";
import { journeysDefine } from "../../lib/bundling.ts";
import { capture } from "../cli/capture-io.ts";
import { PROGRAM_TIMEOUT_MS } from "../support/until.ts";
import { appOptions, PROJECT_ROOT, synthesize } from "./synth.ts";

const BAD_DURATION = join(PROJECT_ROOT, "test/fixtures/journeys/bad-duration");

describe("the CDK app", () => {
  it("fails the synth of journeys that fail `nudge validate`, with the same lines", async () => {
    // Prepare
    const io = capture(BAD_DURATION);
    await validateCommand([], io);
    // Act
    const synth = createNudgeApp({ projectRoot: PROJECT_ROOT, cwd: BAD_DURATION, env: {} });
    // Assess
    expect(io.err.length).toBeGreaterThan(0);
    await expect(synth).rejects.toThrow(InvalidJourneyError);
    await expect(synth).rejects.toThrow(io.err.join("\n"));
  });

  it("refuses a journey version that removes steps where an older version's runs wait, without mapping them", async () => {
    // Prepare: welcome-series version 2 maps version 1's wait-3-days, not its wait-7-days, which it removed.
    const fixtures = join(PROJECT_ROOT, "test/fixtures/journeys");
    // Act
    const mapped = await validatedJourneys("migration", fixtures);
    const synth = createNudgeApp(appOptions({ journeysDir: "migration-stranded" }, { cwd: fixtures }));
    // Assess
    await expect(synth).rejects.toThrow(InvalidJourneyError);
    await expect(synth).rejects.toThrow(
      'migration-stranded: journey "welcome-series" version 2 removes steps of version 1 where its runs wait, and maps them nowhere: "wait-7-days"; map them in "migrate"',
    );
    expect(mapped.map((journey) => journey.version).sort()).toEqual([1, 2]);
  });

  it("embeds the validated traits file in the functions, and null without one", async () => {
    // Prepare
    const journeys = await validatedJourneys("journeys", PROJECT_ROOT);
    const { traits } = await loadTraitsFile(join(PROJECT_ROOT, "journeys"), PROJECT_ROOT);
    // Act
    const withTraits = journeysDefine(journeys, traits);
    const without = journeysDefine(journeys);
    // Assess: the bundle's constant is the file's JSON text, as a string literal.
    expect(JSON.parse(JSON.parse(withTraits.NUDGE_TRAITS_JSON ?? ""))).toEqual(traits);
    expect(Object.keys(traits?.traits ?? {})).toContain("rfm");
    expect(JSON.parse(JSON.parse(without.NUDGE_TRAITS_JSON ?? ""))).toBeNull();
  });

  it("embeds in the functions the validated journeys with the template files their send steps use", async () => {
    // Prepare
    const journeys = await validatedJourneys("journeys", PROJECT_ROOT);
    // Act
    const define = journeysDefine(journeys);
    // Assess: the bundle's constant is the JSON text of the journeys, as a string literal.
    const embedded = JSON.parse(JSON.parse(define.NUDGE_JOURNEYS_JSON ?? "")) as typeof journeys;
    const welcome = embedded.find((journey) => journey.id === "new-user-coupon")?.templates.welcome;
    expect(welcome?.["zh-CN"]).toEqual({
      title: "新人专享券已到账",
      body: expect.stringContaining("券码 {{ coupon.code }}"),
    });
    // Every journey file, an earlier version kept for its runs in flight too, each with the template files its
    // send steps use: every file of journeys/templates/ (two versions may send the same one).
    const files = readdirSync(join(PROJECT_ROOT, "journeys")).filter(isJourneyFileName);
    expect(embedded).toHaveLength(files.length);
    const templateFiles = readdirSync(join(PROJECT_ROOT, "journeys/templates")).map((name) =>
      name.replace(/\.json$/, ""),
    );
    expect([...new Set(embedded.flatMap((journey) => Object.keys(journey.templates)))].sort()).toEqual(
      templateFiles.sort(),
    );
  });

  it("as `cdk synth` runs it, prints those lines and exits 1", () => {
    // Prepare
    const io = capture(BAD_DURATION);
    // Act
    const run = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "bin/nudge-app.ts")], {
      cwd: BAD_DURATION,
      encoding: "utf8",
      timeout: PROGRAM_TIMEOUT_MS,
    });
    // Assess
    return validateCommand([], io).then(() => {
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split("\n")).toEqual(io.err);
    });
  });

  it("runs cdk-nag's AwsSolutions rules at synth: an unacknowledged finding fails it", async () => {
    // Prepare: a queue with no dead-letter queue (AwsSolutions-SQS3), added to the real stack.
    const { app, stack } = await createNudgeApp(appOptions());
    new sqs.Queue(stack, "Careless", { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    // Act
    const synth = () => app.synth();
    // Assess
    expect(synth).toThrow(/AwsSolutions-SQS3/);
    expect(synth).toThrow(/Nudge-dev\/Careless\/Resource/);
  });

  it("takes stage, bus and alarm address from context, and rejects a stage it cannot name resources after", async () => {
    // Act
    const { stack } = await synthesize({ stage: "staging-2", busName: "shop", alarmEmail: "ops@example.com" });
    const bad = createNudgeApp({ projectRoot: PROJECT_ROOT, cwd: PROJECT_ROOT, env: {}, context: { stage: "Prod!" } });
    // Assess
    expect(stack.stackName).toBe("Nudge-staging-2");
    expect(stack.bus.eventBusName).toBe("shop");
    expect(stack.alarms.topic.node.findAll().some((c) => c.node.id === "ops@example.com")).toBe(true);
    await expect(bad).rejects.toThrow(
      'stage: expected lower-case letters, digits and dashes (at most 20), got "Prod!"',
    );
  });
});

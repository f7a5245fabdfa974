import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadJourneys } from "../../functions/cli/journey-folder.ts";
import { main } from "../../functions/cli/main.ts";
import { openSimulatorDynamoDb } from "../../functions/simulator/embedded-dynamodb.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { REPO_JOURNEYS_DIR } from "../support/shipped-journeys.ts";
import { capture } from "./capture-io.ts";

/**
 * `nudge plan` on the change the issue names: the dormancy threshold from 30 to 45 days, and a change that removes
 * the reminder, against the same events, with runs in flight on a table (dynalite) that the base journeys ran.
 */

const T0 = Date.parse("2026-11-02T02:00:00Z");
const DAY = 86_400_000;
let folder: string;
let eventsFile: string;
let table: { endpoint: string; tableName: string };
let runsEntered: number;

const registration = (n: number) =>
  JSON.stringify({
    version: "0",
    id: `reg-${n}`,
    "detail-type": "user.registered",
    source: "shop",
    account: "000000000000",
    time: new Date(T0 + n * 30 * 3_600_000).toISOString(),
    region: "cn-north-1",
    resources: [],
    detail: { userId: `user-${n}`, locale: "zh-CN", timezone: "Asia/Shanghai" },
  });

/** A copy of the shipped journeys with the dormancy journey edited into version 3. */
function nextFolder(name: string, edit: (journey: Record<string, unknown>) => void): string {
  const dir = join(folder, name, "journeys");
  cpSync(REPO_JOURNEYS_DIR, dir, { recursive: true });
  const file = join(dir, "dormancy-reactivation.json");
  const journey = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  journey.version = 3;
  edit(journey);
  writeFileSync(file, JSON.stringify(journey, null, 2));
  return dir;
}

type Step = { id: string; next?: string };

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "nudge-plan-"));
  eventsFile = join(folder, "events.ndjson");
  writeFileSync(eventsFile, `${Array.from({ length: 24 }, (_, n) => registration(n)).join("\n")}\n`);
  // The base journeys ran 33 days: the first users to go dormant wait at wait-7-days.
  const loaded = await loadJourneys(REPO_JOURNEYS_DIR, capture());
  if (loaded === undefined) throw new Error("the shipped journeys do not load");
  const dynamodb = await openSimulatorDynamoDb({
    endpoint: inject("dynamodbEndpoint"),
    tableName: `nudge-plan-${process.pid}-${Date.now()}`,
  });
  table = { endpoint: dynamodb.endpoint, tableName: dynamodb.tableName };
  runsEntered = 0;
  await simulate({
    journeys: loaded.journeys,
    policies: loaded.policies,
    ...(loaded.traits === undefined ? {} : { traits: loaded.traits }),
    lines: readFileSync(eventsFile, "utf8").split("\n"),
    until: T0 + 33 * DAY,
    store: dynamodb.store,
    onLine: (line) => {
      if (line.journey === "dormancy-reactivation" && (line.type === "journey.entered" || line.type === "holdout"))
        runsEntered++;
    },
  });
  await dynamodb.close();
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function plan(journeysDir: string, format = "json") {
  const io = capture(folder);
  const code = await main(
    [
      "plan",
      ...["--journeys", journeysDir, "--base-dir", REPO_JOURNEYS_DIR, "--events", eventsFile],
      ...["--table", table.tableName, "--dynamodb-endpoint", table.endpoint, "--region", "cn-north-1"],
      ...["--format", format],
    ],
    io,
  );
  return { code, io };
}

describe("nudge plan", () => {
  it("shows what 45 days instead of 30 does: fewer entries in the window, coupons later; runs in flight go on", async () => {
    // Prepare
    const next = nextFolder("forty-five", (journey) => {
      (journey.trigger as { for: string }).for = "P45D";
    });

    // Act
    const { code, io } = await plan(next);

    // Assess
    expect(code).toBe(0);
    const result = JSON.parse(io.out.join("\n"));
    const [dormancy] = result.journeys;
    expect(result.journeys).toHaveLength(1);
    expect(dormancy.changes).toEqual([{ kind: "trigger", path: "trigger.for", before: "P30D", after: "P45D" }]);
    const { base, next: after } = dormancy.blast;
    // One registration every 30 hours for 29 days, counted 30 days on: all 24 go dormant inside the window at 30
    // days, only the first 12 at 45; the first entries and coupons come two weeks later.
    const firstWeek = (weeks: number[]) => weeks.findIndex((n) => n > 0);
    expect(base.entries).toBe(24);
    expect(after.entries).toBe(12);
    expect(firstWeek(base.entriesByWeek)).toBe(4);
    expect(firstWeek(after.entriesByWeek)).toBe(6);
    expect(after.coupons).toBeLessThan(base.coupons);
    expect(after.couponSpend).toBeLessThan(base.couponSpend);
    expect(firstWeek(after.spendByWeek)).toBe(6);
    expect(dormancy.inFlight).toEqual([
      {
        version: 2,
        stepId: "wait-7-days",
        runs: runsEntered,
        outcome: { kind: "continue", changed: false },
        becomes: "go on at the same step on v3",
      },
    ]);
    expect(dormancy.stranded).toEqual([]);
  });

  it("refuses a change that removes the step runs wait at, with no migrate map: exit 1", async () => {
    // Prepare
    const next = nextFolder("no-reminder", (journey) => {
      const steps = (journey.steps as Step[]).filter((s) => s.id !== "wait-7-days" && s.id !== "send-reminder");
      for (const step of steps) if (step.id === "send-comeback") delete step.next;
      journey.steps = steps;
    });

    // Act
    const { code, io } = await plan(next, "text");

    // Assess
    expect(code).toBe(1);
    const text = io.out.join("\n");
    expect(text).toContain("    steps.wait-7-days: removed (wait)");
    expect(text).toMatch(/v2 wait-7-days\s+\d+\s+STRANDED: the step is gone from v3 and no migrate map moves them/);
    expect(text).toContain(
      `  REFUSED: ${runsEntered} runs of v2 wait at wait-7-days, which v3 removes with no migrate map`,
    );
  });
});

describe("nudge plan with a migration map", () => {
  it("moves the runs as the map says when version 2 is kept beside version 3: exit 0", async () => {
    // Prepare: version 3 drops the reminder, keeps version 2's file, and maps its waiting runs to an exit
    const next = nextFolder("mapped", (journey) => {
      const steps = (journey.steps as Step[]).filter((s) => s.id !== "wait-7-days" && s.id !== "send-reminder");
      for (const step of steps) if (step.id === "send-comeback") delete step.next;
      journey.steps = steps;
      journey.migrate = { from: 2, steps: { "wait-7-days": "exit" } };
    });
    const kept = JSON.parse(readFileSync(join(REPO_JOURNEYS_DIR, "dormancy-reactivation.json"), "utf8"));
    writeFileSync(join(next, "dormancy-reactivation.v2.json"), JSON.stringify(kept, null, 2));

    // Act
    const { code, io } = await plan(next, "text");

    // Assess
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    const text = io.out.join("\n");
    expect(text).toMatch(new RegExp(`v2 wait-7-days\\s+${runsEntered}\\s+exit \\(migrate\\)`));
    expect(text).not.toContain("REFUSED");
  });

  it("refuses, as the CDK app does, a kept version's step removed where runs wait, with no map: exit 1", async () => {
    // Prepare: the same, without the map
    const next = nextFolder("kept-unmapped", (journey) => {
      const steps = (journey.steps as Step[]).filter((s) => s.id !== "wait-7-days" && s.id !== "send-reminder");
      for (const step of steps) if (step.id === "send-comeback") delete step.next;
      journey.steps = steps;
    });
    const kept = JSON.parse(readFileSync(join(REPO_JOURNEYS_DIR, "dormancy-reactivation.json"), "utf8"));
    writeFileSync(join(next, "dormancy-reactivation.v2.json"), JSON.stringify(kept, null, 2));

    // Act
    const { code, io } = await plan(next, "text");

    // Assess
    expect(code).toBe(1);
    expect(io.out.join("\n")).toContain(
      `REFUSED: journey "dormancy-reactivation" version 3 removes steps of version 2 where its runs wait, and maps them nowhere: "wait-7-days" (${runsEntered} runs)`,
    );
  });
});

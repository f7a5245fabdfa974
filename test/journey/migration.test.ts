import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../functions/journey/load.ts";
import { migrationPlans, planMigration, strandedMessage } from "../../functions/journey/migration.ts";
import { checkJourneys } from "../../functions/journey/validate.ts";
import { type Journey, type JourneyInput, journeySchema } from "../../functions/language/schema.ts";

/**
 * A new version's migration map, checked (functions/journey/checks/migration.ts), and what it does to an older
 * version's runs (functions/journey/migration.ts), on the worked example test/fixtures/journeys/migration/.
 */

const FIXTURES = fileURLToPath(new URL("../fixtures/journeys/migration/", import.meta.url));
const raw = (name: string): JourneyInput => JSON.parse(readFileSync(`${FIXTURES}${name}`, "utf8"));
const v1 = journeySchema.parse(raw("welcome-series.v1.json"));
const v2 = journeySchema.parse(raw("welcome-series.json"));
/** Version 2 with another map (validated by the schema as a file would be). */
const v2With = (migrate: unknown): Journey => journeySchema.parse({ ...raw("welcome-series.json"), migrate });

const problemsOf = (...journeys: Journey[]) =>
  checkJourneys(journeys.map((journey) => ({ file: `welcome-series.v${journey.version}.json`, journey }))).map(
    formatProblem,
  );

describe("planMigration", () => {
  it("lists the runs that move, those that stay, and those a change would strand, with the counts given", () => {
    // Prepare: version 2 maps only wait-3-days; wait-7-days is gone from it; send steps (deferred messages) are kept.
    const partial = v2With({ from: 1, steps: { "wait-3-days": "wait-2-days" } });
    // Act
    const plan = planMigration({ from: v1, to: partial, waiting: { "wait-3-days": 12, "wait-7-days": 3 } });
    // Assess
    expect(plan).toEqual({
      journeyId: "welcome-series",
      from: 1,
      to: 2,
      mapped: true,
      moves: [{ step: "wait-3-days", type: "wait", runs: 12, to: "wait-2-days" }],
      stays: [
        { step: "send-welcome", type: "send" },
        { step: "send-tips", type: "send" },
        { step: "send-survey", type: "send" },
      ],
      stranded: [{ step: "wait-7-days", type: "wait", runs: 3 }],
      removed: ["wait-3-days", "wait-7-days"],
    });
    expect(strandedMessage(plan)).toBe(
      'journey "welcome-series" version 2 removes steps of version 1 where its runs wait, and maps them nowhere: "wait-7-days" (3 runs); map them in "migrate" ({"from": 1, "steps": {"wait-7-days": "<step of version 2>" or "exit"}}), keep them, or remove version 1\'s file once no run waits there',
    );
  });

  it("strands nothing at a removed step counted empty, nor with the worked example's full map", () => {
    // Prepare
    const partial = v2With({ from: 1, steps: { "wait-3-days": "wait-2-days" } });
    // Act
    const counted = planMigration({ from: v1, to: partial, waiting: { "wait-7-days": 0 } });
    const [example] = migrationPlans([v1, v2]);
    // Assess
    expect(counted.stranded).toEqual([]);
    expect(example?.stranded).toEqual([]);
    expect(example?.moves.map((move) => `${move.step}->${move.to}`)).toEqual([
      "wait-3-days->wait-2-days",
      "wait-7-days->wait-for-order",
    ]);
    expect(strandedMessage(counted)).toBeUndefined();
  });

  it("counts each older version's runs through the caller's function", () => {
    // Prepare
    const partial = v2With({ from: 1, steps: { "wait-3-days": "wait-2-days" } });
    const counts = (id: string, version: number) =>
      id === "welcome-series" && version === 1 ? { "wait-7-days": 0, "wait-3-days": 4 } : undefined;
    // Act
    const [plan] = migrationPlans([v1, partial], counts);
    // Assess
    expect(plan?.stranded).toEqual([]);
    expect(plan?.moves).toEqual([{ step: "wait-3-days", type: "wait", runs: 4, to: "wait-2-days" }]);
  });

  it("strands every removed waiting step of a version no map is from", () => {
    // Prepare
    const unmapped = journeySchema.parse({ ...raw("welcome-series.json"), migrate: undefined });
    // Act
    const [plan] = migrationPlans([unmapped, v1]);
    // Assess
    expect(plan?.mapped).toBe(false);
    expect(plan?.stranded.map((fate) => fate.step)).toEqual(["wait-3-days", "wait-7-days"]);
  });
});

describe("the migration map's checks", () => {
  it("pass the worked example", () => {
    expect(problemsOf(v1, v2)).toEqual([]);
  });

  it("refuse a version that is not an earlier one kept among the files", () => {
    // Act
    const alone = problemsOf(v2);
    const later = problemsOf(v1, v2With({ from: 2, steps: {} }));
    // Assess
    expect(alone).toEqual([
      'welcome-series.v2.json: migrate.from: journey "welcome-series" has no version 1 among the journey files (earlier versions found: none); keep that version\'s file beside this one while its runs are in flight',
    ]);
    expect(later).toEqual([
      "welcome-series.v2.json: migrate.from: expected an earlier version than this one (2), got 2",
    ]);
  });

  it("refuse unknown steps on either side, and a target a moved run cannot continue at", () => {
    // Prepare
    const wrong = v2With({
      from: 1,
      steps: { "wait-3-day": "wait-2-days", "wait-7-days": "wait-for-ordr", "send-tips": "send-thanks" },
    });
    const branching = journeySchema.parse({
      ...raw("welcome-series.json"),
      steps: [
        ...raw("welcome-series.json").steps,
        {
          id: "choose",
          type: "branch",
          branches: [{ condition: { profile: { locale: ["en"] } }, next: "send-thanks" }],
        },
      ],
      migrate: { from: 1, steps: { "wait-3-days": "choose" } },
    });
    // Act
    const problems = problemsOf(v1, wrong);
    const toBranch = problemsOf(v1, branching);
    // Assess
    expect(problems).toEqual([
      'welcome-series.v2.json: migrate.steps.wait-3-day: version 1 has no step "wait-3-day" (did you mean "wait-3-days"?); its steps: send-welcome, wait-3-days, send-tips, wait-7-days, send-survey',
      'welcome-series.v2.json: migrate.steps.wait-7-days: this version has no step "wait-for-ordr" (did you mean "wait-for-order"?); map to one of its steps, or to "exit"',
    ]);
    expect(toBranch).toContain(
      'welcome-series.v2.json: migrate.steps.wait-3-days: a moved run cannot continue at step "choose" (a branch step): map it to a step where a run waits (wait, wait-until, wait-for-event, send, issue-coupon), an exit step, or "exit"',
    );
  });

  it('refuse mapping a step no run waits at, and "exit" beside a step of that name', () => {
    // Prepare: version 1 chooses its tips by locale (a branch, where no run waits); version 2 has a step "exit".
    const branching = journeySchema.parse({
      ...raw("welcome-series.v1.json"),
      start: "choose",
      steps: [
        {
          id: "choose",
          type: "branch",
          branches: [{ condition: { profile: { locale: ["en"] } }, next: "send-welcome" }],
          otherwise: "send-welcome",
        },
        ...raw("welcome-series.v1.json").steps,
      ],
    });
    const withExitStep = journeySchema.parse({
      ...raw("welcome-series.json"),
      steps: [...raw("welcome-series.json").steps, { id: "exit", type: "exit" }],
      migrate: { from: 1, steps: { choose: "wait-2-days", "wait-7-days": "exit" } },
    });
    // Act
    const problems = problemsOf(branching, withExitStep);
    // Assess
    expect(problems).toContain(
      'welcome-series.v2.json: migrate.steps.choose: no run waits at step "choose" of version 1 (a branch step): map only the steps where runs wait',
    );
    expect(problems).toContain(
      'welcome-series.v2.json: migrate.steps.wait-7-days: "exit" ends the moved runs, but this version also has a step "exit": rename that step',
    );
  });
});

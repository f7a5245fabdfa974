import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeOutcome, outcomeOf, strandableSteps } from "../../functions/journey/in-flight.ts";
import { describeChange, diffJourneys } from "../../functions/journey/journey-diff.ts";
import { type Journey, journeySchema } from "../../functions/language/schema.ts";
import { REPO_JOURNEYS_DIR } from "../support/shipped-journeys.ts";

const dormancy = (): Journey =>
  journeySchema.parse(JSON.parse(readFileSync(join(REPO_JOURNEYS_DIR, "dormancy-reactivation.json"), "utf8")));

/** The dormancy journey as an operations person would change it: a new version, edited by `edit`. */
function nextVersion(edit: (journey: Journey) => void): Journey {
  const journey = structuredClone(dormancy());
  journey.version += 1;
  edit(journey);
  return journey;
}

describe("the semantic diff of two versions of a journey", () => {
  it("names a retimed trigger, a retimed wait and a coupon change by their place in the journey", () => {
    // Prepare
    const base = dormancy();
    const next = nextVersion((journey) => {
      if (journey.trigger.type === "inactivity") journey.trigger.for = "P45D";
      for (const step of journey.steps) {
        if (step.type === "wait") step.for = "P10D";
        if (step.type === "issue-coupon" && step.id === "issue-comeback-coupon") step.amountOff = 40;
      }
      journey.description = "reworded, which is no change";
    });

    // Act
    const diff = diffJourneys(base, next);

    // Assess
    expect(diff).toMatchObject({ journeyId: "dormancy-reactivation", fromVersion: 2, toVersion: 3 });
    expect(diff.changes.map((change) => [change.kind, describeChange(change)])).toEqual([
      ["trigger", 'trigger.for: "P30D" -> "P45D"'],
      ["coupon", "steps.issue-comeback-coupon.amountOff: 30 -> 40"],
      ["step-retimed", 'steps.wait-7-days.for: "P7D" -> "P10D"'],
    ]);
  });

  it("lists steps added and removed, and the links that changed with them", () => {
    // Prepare: the reminder dropped, an exit added in its place
    const next = nextVersion((journey) => {
      journey.steps = journey.steps.filter((step) => step.id !== "wait-7-days" && step.id !== "send-reminder");
      const comeback = journey.steps.find((step) => step.id === "send-comeback");
      if (comeback?.type === "send") comeback.next = "done";
      journey.steps.push({ id: "done", type: "exit", reason: "sent" });
    });

    // Act
    const lines = diffJourneys(dormancy(), next).changes.map(describeChange);

    // Assess
    expect(lines).toEqual([
      "steps.wait-7-days: removed (wait)",
      "steps.send-reminder: removed (send)",
      'steps.send-comeback.next: "wait-7-days" -> "done"',
      "steps.done: added (exit)",
    ]);
  });

  it("finds nothing between a journey and itself", () => {
    // Assess
    expect(diffJourneys(dormancy(), dormancy()).changes).toEqual([]);
  });
});

describe("what a deploy does to the runs in flight", () => {
  const withoutReminder = nextVersion((journey) => {
    journey.steps = journey.steps.filter((step) => step.id !== "wait-7-days" && step.id !== "send-reminder");
    const comeback = journey.steps.find((step) => step.id === "send-comeback");
    if (comeback?.type === "send") delete comeback.next;
  });

  it("lets runs finish on their version while its file is kept", () => {
    // Act
    const outcome = outcomeOf({ version: 2, stepId: "wait-7-days", shipped: [dormancy(), withoutReminder] });

    // Assess
    expect(outcome).toEqual({ kind: "finish", version: 2 });
    expect(describeOutcome(outcome, 3)).toBe("finish on v2 (its file is kept)");
  });

  it("moves runs on at the step of the same id, and strands them at a removed one", () => {
    // Act
    const same = outcomeOf({ version: 2, stepId: "send-comeback", shipped: [withoutReminder], old: dormancy() });
    const gone = outcomeOf({ version: 2, stepId: "wait-7-days", shipped: [withoutReminder], old: dormancy() });

    // Assess
    expect(same).toEqual({ kind: "continue", changed: true });
    expect(gone).toEqual({ kind: "stranded" });
    expect(strandableSteps(dormancy(), [withoutReminder])).toEqual(["wait-7-days", "send-reminder"]);
  });

  it("strands no run at a removed branch, where no run waits (as the CDK app judges)", () => {
    // Prepare: the coupon choice gone; everyone gets the comeback coupon.
    const withoutChoice = nextVersion((journey) => {
      journey.steps = journey.steps.filter((step) => step.id !== "choose-coupon");
      journey.start = "issue-comeback-coupon";
    });

    // Act / Assess
    expect(strandableSteps(dormancy(), [withoutChoice])).toEqual([]);
  });

  it("follows a migration map: a step moved, a step exited", () => {
    // Prepare
    const mapped = {
      ...withoutReminder,
      migrate: { from: 2, steps: { "wait-7-days": "exit", "send-reminder": "send-comeback" } },
    };

    // Act / Assess
    expect(outcomeOf({ version: 2, stepId: "wait-7-days", shipped: [mapped] })).toEqual({ kind: "exit" });
    expect(outcomeOf({ version: 2, stepId: "send-reminder", shipped: [mapped] })).toEqual({
      kind: "move",
      to: "send-comeback",
    });
    expect(strandableSteps(dormancy(), [mapped])).toEqual([]);
  });
});

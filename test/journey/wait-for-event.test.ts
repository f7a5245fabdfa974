import { describe, expect, it } from "vitest";
import { formatProblem, parseJourney } from "../../functions/journey/load.ts";

/** A journey whose start waits for a deposit, with the wait step's fields given. */
function withWait(wait: Record<string, unknown>): string {
  return JSON.stringify({
    id: "deposit-wait",
    version: 1,
    name: "Deposit wait",
    trigger: { type: "event", pattern: { "detail-type": ["promotion.scheduled"] } },
    start: "wait",
    steps: [
      {
        id: "wait",
        type: "wait-for-event",
        pattern: { "detail-type": ["order.deposit_paid"] },
        ...wait,
        onTimeout: "end",
      },
      { id: "end", type: "exit" },
    ],
  });
}

const problemsOf = (wait: Record<string, unknown>) =>
  parseJourney(withWait(wait), "journeys/deposit-wait.json").problems.map(formatProblem);

describe("wait-for-event: timeout or until, and match", () => {
  it("takes a timeout, or an until read from the run's data, with fields to match", () => {
    // Act / Assess
    expect(problemsOf({ timeout: "P7D" })).toEqual([]);
    expect(
      problemsOf({
        until: { time: "trigger.time", localTime: "10:00", days: 7 },
        match: { "detail.promotionId": "trigger.detail.promotionId" },
      }),
    ).toEqual([]);
  });

  it("refuses both or neither of timeout and until, a match field that is no event field, and a path that is no context's", () => {
    // Act
    const both = problemsOf({ timeout: "P7D", until: { time: "trigger.time" } });
    const neither = problemsOf({});
    const field = problemsOf({ timeout: "P7D", match: { promotionId: "trigger.detail.promotionId" } });
    const path = problemsOf({ timeout: "P7D", match: { "detail.promotionId": "promotion.id" } });
    // Assess
    const either = 'expected either "timeout" or "until": how long to wait, or until when';
    expect(both.join("\n")).toContain(either);
    expect(neither.join("\n")).toContain(either);
    expect(field.join("\n")).toContain('expected an event field such as "detail.promotionId", got "promotionId"');
    expect(path.join("\n")).toContain('expected a context path such as "trigger.detail.expiresAt"');
  });
});

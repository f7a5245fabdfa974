import { describe, expect, it } from "vitest";
import { answerOf, runSteps, type Steps } from "../../functions/runtime/awaitable.ts";
import { isPromise } from "../../functions/runtime/ports.ts";
import { Retries } from "../../functions/runtime/retries.ts";
import { ConcurrencyError, NudgeError } from "../../functions/shared/errors.ts";

/**
 * The runtime's sequencing for ports that answer at once (the in-memory store) or by a promise (DynamoDB):
 * one body either way, with no promise while every answer is at hand.
 */

/** A budget read as a store gives it: at once (the memory store) or later (DynamoDB). */
const budgetOf = (spent: number, later: boolean) => (later ? Promise.resolve({ spent }) : { spent });

/** A coupon decision's shape of work: read two budget days, then charge what is left of the day's room. */
function* roomLeft(reads: { later: boolean }, perDay: number): Steps<number> {
  const today = yield* answerOf(budgetOf(120, reads.later));
  const shard = yield* answerOf(budgetOf(30, reads.later));
  return perDay - today.spent - shard.spent;
}

describe("runSteps", () => {
  it("answers at once, with no promise, when every answer the body waits on is at hand", () => {
    // Act
    const room = runSteps(roomLeft({ later: false }, 500));

    // Assess
    expect(isPromise(room)).toBe(false);
    expect(room).toBe(350);
  });

  it("answers by a promise, with the same value, once an answer is a promise", async () => {
    // Act
    const room = runSteps(roomLeft({ later: true }, 500));

    // Assess
    expect(isPromise(room)).toBe(true);
    await expect(room).resolves.toBe(350);
  });

  it("throws a rejected answer into the body at its yield, where it can be caught as at an await", async () => {
    // Prepare
    const refused = new ConcurrencyError("budget day written meanwhile");
    function* chargeOrFallBack(): Steps<string> {
      try {
        yield* answerOf(Promise.reject(refused));
        return "charged";
      } catch (error) {
        return error === refused ? "fallback" : "other";
      }
    }

    // Act
    const outcome = runSteps(chargeOrFallBack());

    // Assess
    await expect(outcome).resolves.toBe("fallback");
  });

  it("lets an error thrown before any promise leave runSteps as it is, synchronously", () => {
    // Prepare
    function* failing(): Steps<number> {
      yield* answerOf(budgetOf(1, false));
      throw new NudgeError("coupon budgets: still changing after 4 rounds");
    }

    // Act and assess
    expect(() => runSteps(failing())).toThrow("still changing after 4 rounds");
  });
});

describe("Retries.withRetries", () => {
  const stats = () => ({ conflicts: 0, decideCalls: 0, mostDecideCalls: 0 });

  it("answers at once when the first attempt needs nothing asynchronous", () => {
    // Prepare
    const retries = new Retries(stats(), 8);

    // Act
    const saved = retries.withRetries(
      () => "user/u1",
      (tries) => `saved on try ${tries}`,
    );

    // Assess
    expect(saved).toBe("saved on try 1");
  });

  it("tries again after a lost race thrown at once, and counts the conflict", async () => {
    // Prepare
    const counted = stats();
    const retries = new Retries(counted, 8);

    // Act
    const saved = retries.withRetries(
      () => "user/u1",
      (tries) => {
        if (tries === 1) throw new ConcurrencyError("user u1: expected revision 3, found 4");
        return `saved on try ${tries}`;
      },
    );

    // Assess
    await expect(saved).resolves.toBe("saved on try 2");
    expect(counted.conflicts).toBe(1);
  });

  it("hands any other error to the caller without a second try", async () => {
    // Prepare
    const retries = new Retries(stats(), 8);
    let tries = 0;

    // Act
    const saving = retries.withRetries(
      () => "user/u1",
      () => {
        tries++;
        return Promise.reject(new Error("network down"));
      },
    );

    // Assess
    await expect(saving).rejects.toThrow("network down");
    expect(tries).toBe(1);
  });

  it("gives up after its attempts, naming what was contended", async () => {
    // Prepare
    const retries = new Retries(stats(), 3);

    // Act
    const saving = retries.withRetries(
      () => "user/u1",
      () => {
        throw new ConcurrencyError("user u1: expected revision 3, found 4");
      },
    );

    // Assess
    await expect(saving).rejects.toThrow("user/u1: still contended after 3 attempts");
  });
});

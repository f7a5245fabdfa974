import { describe, expect, it } from "vitest";
import type { Awaitable } from "../../../functions/runtime/ports.ts";
import { ConcurrencyError } from "../../../functions/shared/errors.ts";
import type { OpenStore } from "./contract.ts";
import { failure, outbox, profile, runRecord, sends } from "./fixtures.ts";

/**
 * Versioned values (RunStore, UserStore): every write is conditional on the revision read
 * (undefined: none yet) and a mismatch throws ConcurrencyError. Reads after a write ask for a consistent read:
 * the port allows an eventually consistent read to be stale (DynamoDB on AWS), never a consistent one.
 */
const CONSISTENT = { consistent: true } as const;

/** Settles two racing writes and tells the winner from the loser. */
async function race<T>(writes: [Awaitable<T>, Awaitable<T>]) {
  const results = await Promise.allSettled(writes);
  const won = results.filter((r) => r.status === "fulfilled");
  const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
  return { won, lost };
}

export function recordContract(open: OpenStore): void {
  recordTests(open);
  recordRaceTests(open);
  userTests(open);
  userRaceTests(open);
}

function recordTests(open: OpenStore): void {
  describe("RunStore: run records", () => {
    it("saves a new record at revision 1, reads it back, and advances it on the revision read", async () => {
      // Prepare
      const { store } = await open();
      const record = runRecord();
      // Act
      const first = await store.putRecord(record, undefined);
      const read = await store.getRecord("welcome", "u1", CONSISTENT);
      const second = await store.putRecord({ ...record, entries: 2 }, first);
      // Assess
      expect(first).toBe(1);
      expect(read).toEqual({ value: record, revision: 1 });
      expect(second).toBe(2);
      expect(await store.getRecord("welcome", "u1", CONSISTENT)).toEqual({
        value: { ...record, entries: 2 },
        revision: 2,
      });
    });

    it("reads nothing for a key never saved, nor for the same key in another journey", async () => {
      // Prepare
      const { store } = await open();
      await store.putRecord(runRecord(), undefined);
      // Act
      const missing = await store.getRecord("welcome", "u2", CONSISTENT);
      const otherJourney = await store.getRecord("new-user-coupon", "u1", CONSISTENT);
      const eventual = await store.getRecord("welcome", "nobody");
      // Assess
      expect([missing, otherJourney, eventual]).toEqual([undefined, undefined, undefined]);
    });

    it("refuses a create over a record, a stale revision and an update of a missing one, changing nothing", async () => {
      // Prepare
      const { store } = await open();
      const saved = runRecord();
      await store.putRecord(saved, undefined);
      // Act
      const create = await failure(store.putRecord(runRecord({ entries: 5 }), undefined));
      const stale = await failure(store.putRecord(runRecord({ entries: 7 }), 7));
      const missing = await failure(store.putRecord(runRecord({ key: "u2" }), 1));
      // Assess
      expect(create).toBeInstanceOf(ConcurrencyError);
      expect(stale).toBeInstanceOf(ConcurrencyError);
      expect(missing).toBeInstanceOf(ConcurrencyError);
      expect(await store.getRecord("welcome", "u1", CONSISTENT)).toEqual({ value: saved, revision: 1 });
      expect(await store.getRecord("welcome", "u2", CONSISTENT)).toBeUndefined();
    });
  });
}

function recordRaceTests(open: OpenStore): void {
  describe("RunStore: races, outboxes and keys", () => {
    it("lets exactly one of two writers of the same revision win; the other gets ConcurrencyError", async () => {
      // Prepare
      const { store } = await open();
      const revision = await store.putRecord(runRecord(), undefined);
      // Act
      const { won, lost } = await race([
        store.putRecord(runRecord({ entries: 10 }), revision),
        store.putRecord(runRecord({ entries: 20 }), revision),
      ]);
      // Assess
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(ConcurrencyError);
      const stored = await store.getRecord("welcome", "u1", CONSISTENT);
      expect(stored?.revision).toBe(2);
      expect([10, 20]).toContain(stored?.value.entries);
    });

    it("saves a record's outbox with it, and the next save without one leaves none", async () => {
      // Prepare
      const { store } = await open();
      const pending = outbox();
      // Act
      const first = await store.putRecord(runRecord({ pending }), undefined);
      const withOutbox = await store.getRecord("welcome", "u1", CONSISTENT);
      await store.putRecord(runRecord({ entries: 2 }), first);
      const after = await store.getRecord("welcome", "u1", CONSISTENT);
      // Assess
      expect(withOutbox?.value.pending).toEqual(pending);
      expect(after?.value.pending).toBeUndefined();
      expect(after?.value.entries).toBe(2);
    });

    it("keeps an ended run's record, and keys that hold # and : apart from their neighbours", async () => {
      // Prepare: a review run keyed by an order id, ended by a refund.
      const { store } = await open();
      const active = runRecord({ journeyId: "order-review", key: "SO#1:a" });
      const run = { ...(active.run as NonNullable<typeof active.run>), journeyId: "order-review", key: "SO#1:a" };
      const ended = {
        ...active,
        run: { ...run, status: "ended" as const, endedAt: run.enteredAt, exitReason: "exit" },
      };
      // Act
      await store.putRecord(ended, undefined);
      await store.putRecord(runRecord({ journeyId: "order-review", key: "SO#1" }), undefined);
      // Assess
      expect((await store.getRecord("order-review", "SO#1:a", CONSISTENT))?.value).toEqual(ended);
      expect((await store.getRecord("order-review", "SO#1", CONSISTENT))?.value.key).toBe("SO#1");
      expect(await store.getRecord("order-review", "SO", CONSISTENT)).toBeUndefined();
    });
  });
}

function userTests(open: OpenStore): void {
  describe("UserStore: a user's profile and recent sends", () => {
    it("saves a user, advances it on the revision read, and refuses a stale or duplicate write", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const first = await store.putUser("u1", { profile: profile() }, undefined);
      const second = await store.putUser("u1", { profile: profile({ orderCount: 3 }) }, first);
      const stale = await failure(store.putUser("u1", { profile: profile({ orderCount: 9 }) }, 1));
      const duplicate = await failure(store.putUser("u1", { sends: sends() }, undefined));
      // Assess
      expect([first, second]).toEqual([1, 2]);
      expect(stale).toBeInstanceOf(ConcurrencyError);
      expect(duplicate).toBeInstanceOf(ConcurrencyError);
      expect(await store.getUser("u1", CONSISTENT)).toEqual({
        value: { profile: profile({ orderCount: 3 }) },
        revision: 2,
      });
      expect(await store.getUser("u2", CONSISTENT)).toBeUndefined();
    });

    it("writes the profile and the sends in one write, and keeps what a write leaves out", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const both = await store.putUser("u1", { profile: profile(), sends: sends("u1", 1) }, undefined);
      const sendsOnly = await store.putUser("u1", { sends: sends("u1", 3) }, both);
      const afterSends = await store.getUser("u1", CONSISTENT);
      await store.putUser("u1", { profile: profile({ orderCount: 2 }) }, sendsOnly);
      // Assess
      expect(afterSends).toEqual({ value: { profile: profile(), sends: sends("u1", 3) }, revision: 2 });
      expect(await store.getUser("u1", CONSISTENT)).toEqual({
        value: { profile: profile({ orderCount: 2 }), sends: sends("u1", 3) },
        revision: 3,
      });
      expect(await store.getProfile("u1", CONSISTENT)).toEqual({ value: profile({ orderCount: 2 }), revision: 3 });
    });

    it("reads no profile for a user that has only sends, and keeps users apart from run records", async () => {
      // Prepare
      const { store } = await open();
      // Act
      await store.putUser("u1", { sends: sends("u1", 2) }, undefined);
      await store.putRecord(runRecord(), undefined);
      // Assess
      expect(await store.getProfile("u1", CONSISTENT)).toBeUndefined();
      expect((await store.getUser("u1", CONSISTENT))?.value).toEqual({ sends: sends("u1", 2) });
    });

    it("reads many users' profiles at once, in the order asked, more than one request's hundred", async () => {
      // Prepare: 150 users with profiles, one with sends alone
      const { store } = await open();
      const userIds = Array.from({ length: 150 }, (_, i) => `u${i}`);
      for (const [i, userId] of userIds.entries()) {
        await store.putUser(userId, { profile: profile({ orderCount: i }) }, undefined);
      }
      await store.putUser("only-sends", { sends: sends("only-sends", 1) }, undefined);
      // Act
      const read = await store.getProfiles(["u149", "nobody", "only-sends", ...userIds]);
      // Assess
      expect(read.slice(0, 3)).toEqual([profile({ orderCount: 149 }), undefined, undefined]);
      expect(read.slice(3)).toEqual(userIds.map((_, i) => profile({ orderCount: i })));
    });
  });
}

function userRaceTests(open: OpenStore): void {
  describe("UserStore: races", () => {
    it("lets one of two first writes of a user win", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const { won, lost } = await race([
        store.putUser("u1", { profile: profile({ locale: "en-US" }) }, undefined),
        store.putUser("u1", { profile: profile({ locale: "de-DE" }) }, undefined),
      ]);
      // Assess
      expect(won).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(ConcurrencyError);
      expect((await store.getUser("u1", CONSISTENT))?.revision).toBe(1);
    });

    it("lets two journeys that read the same revision not both pass a cap: one write wins", async () => {
      // Prepare
      const { store } = await open();
      const revision = await store.putUser("u1", { sends: sends("u1", 1) }, undefined);
      // Act
      const { won, lost } = await race([
        store.putUser("u1", { sends: sends("u1", 2) }, revision),
        store.putUser("u1", { sends: sends("u1", 2) }, revision),
      ]);
      // Assess
      expect(won).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(ConcurrencyError);
      expect((await store.getUser("u1", CONSISTENT))?.revision).toBe(2);
    });
  });
}

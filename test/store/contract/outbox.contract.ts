import { describe, expect, it } from "vitest";
import { outboxId } from "../../../functions/engine/journal.ts";
import type { Outbox } from "../../../functions/engine/model.ts";
import type { ContractStore, OpenStore } from "./contract.ts";
import { outbox, runRecord, sentEffect } from "./fixtures.ts";

/** How the runtime asks about a saved outbox: its proof key, its id, its time. */
function asked(pending: Outbox) {
  return { proof: pending.proof ?? "", id: outboxId(pending) ?? "", at: pending.effects[0]?.at ?? "" };
}

/** Saves user `user`'s welcome record with its entry outbox under the batch key `proof`, as a decision does. */
async function saveWithOutbox(store: ContractStore, user: string, proof: string): Promise<Outbox> {
  const pending = outbox(user, proof);
  await store.putRecord(runRecord({ key: user, pending }), undefined);
  return pending;
}

/**
 * The hand-on proofs, the user's run index and the deliver side's effect ledger.
 *
 * Where the adapters differ: the in-memory store knows which saved outboxes are not proven yet, DynamoDB
 * which are proven. So the contract asks only about outboxes saved on a record, as the runtime does (memory
 * answers "handed on" for an outbox it never saw, DynamoDB "not"), under the proof key they name (memory
 * ignores the key), and within the journal's retention (DynamoDB counts an older outbox as handed on, its
 * proof may be gone; memory has no clock and keeps every answer).
 */
export function outboxContract(open: OpenStore): void {
  proofTests(open);
  userRunTests(open);
  ledgerTests(open);
}

function proofTests(open: OpenStore): void {
  describe("HandOnProofStore: proofs that saved outboxes were handed on", () => {
    it("proves no saved outbox before its batch's proof is written, and each one after", async () => {
      // Prepare: a batch of two decisions saved with their outboxes, proven under the first one's id.
      const { store } = await open();
      const batch = "welcome:u1:1:0:entered";
      const first = await saveWithOutbox(store, "u1", batch);
      const second = await saveWithOutbox(store, "u2", batch);
      const before = [await store.isHandedOn(asked(first)), await store.isHandedOn(asked(second))];
      // Act
      await store.proveHandedOn(batch, [outboxId(first) ?? "", outboxId(second) ?? ""]);
      // Assess
      expect(before).toEqual([false, false]);
      expect([await store.isHandedOn(asked(first)), await store.isHandedOn(asked(second))]).toEqual([true, true]);
    });

    it("adds to a proof: two writers of one batch key lose nothing, a repeat changes nothing", async () => {
      // Prepare
      const { store } = await open();
      const batch = "welcome:u1:1:0:entered";
      const first = await saveWithOutbox(store, "u1", batch);
      const second = await saveWithOutbox(store, "u2", batch);
      const third = await saveWithOutbox(store, "u3", batch);
      // Act
      await Promise.all([
        store.proveHandedOn(batch, [outboxId(first) ?? ""]),
        store.proveHandedOn(batch, [outboxId(second) ?? ""]),
      ]);
      await store.proveHandedOn(batch, [outboxId(first) ?? ""]);
      await store.proveHandedOn(batch, []);
      // Assess: the third outbox of the batch, never handed on, is still to hand on.
      expect(await store.isHandedOn(asked(first))).toBe(true);
      expect(await store.isHandedOn(asked(second))).toBe(true);
      expect(await store.isHandedOn(asked(third))).toBe(false);
    });

    it("proves a batch's outboxes and no other batch's", async () => {
      // Prepare
      const { store } = await open();
      const proven = await saveWithOutbox(store, "u1", "welcome:u1:1:0:entered");
      const other = await saveWithOutbox(store, "u2", "welcome:u2:1:0:entered");
      // Act
      await store.proveHandedOn("welcome:u1:1:0:entered", [outboxId(proven) ?? ""]);
      // Assess
      expect(await store.isHandedOn(asked(proven))).toBe(true);
      expect(await store.isHandedOn(asked(other))).toBe(false);
    });
  });
}

function userRunTests(open: OpenStore): void {
  describe("UserRunIndex: runs that concern a user", () => {
    it("reads a user's runs of journeys keyed by something else from the user's item, per user", async () => {
      // Prepare
      const { store } = await open();
      const coupon = { journeyId: "coupon-reminder", key: "cpn.new-user-coupon.1.issue-welcome-coupon.a1" };
      // Act: the runs ride on the user's writes (UserInput.indexRuns), a part of their own.
      const revision = await store.putUser("u1", { runs: [{ journeyId: "order-review", key: "SO-1" }] }, undefined);
      await store.putUser("u1", { runs: [{ journeyId: "order-review", key: "SO-1" }, coupon] }, revision);
      await store.putUser("u2", { runs: [{ journeyId: "order-review", key: "SO-3" }] }, undefined);
      // Assess: the latest list, and a later write of another part keeps it.
      await store.putUser("u1", { sends: [] }, revision + 1);
      expect(await store.userRuns("u1")).toEqual([{ journeyId: "order-review", key: "SO-1" }, coupon]);
      expect(await store.userRuns("u2")).toEqual([{ journeyId: "order-review", key: "SO-3" }]);
      expect(await store.userRuns("u9")).toEqual([]);
    });
  });
}

function ledgerTests(open: OpenStore): void {
  describe("EffectLedger: the deliver side's ledger of effect ids", () => {
    it("claims an effect id once: true the first time, false for every repeat", async () => {
      // Prepare
      const { store } = await open();
      const effect = sentEffect("u1");
      const before = await store.hasEffect(effect.id);
      // Act
      const first = await store.claimEffect(effect);
      const again = await store.claimEffect({ ...effect, at: "2026-11-02T00:00:00Z" });
      // Assess
      expect([before, first, again]).toEqual([false, true, false]);
      expect(await store.hasEffect(effect.id)).toBe(true);
      expect(await store.hasEffect(sentEffect("u2").id)).toBe(false);
    });

    it("lets exactly one of several claims of an effect racing win", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const claims = await Promise.all(Array.from({ length: 5 }, () => store.claimEffect(sentEffect("u3", 2))));
      // Assess
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.hasEffect(sentEffect("u3", 2).id)).toBe(true);
    });
  });
}

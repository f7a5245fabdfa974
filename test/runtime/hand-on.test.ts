import { describe, expect, it } from "vitest";
import type { JourneyEffect, Outbox } from "../../functions/engine/model.ts";
import { HandOn } from "../../functions/runtime/hand-on.ts";
import type { HandOnProofStore } from "../../functions/runtime/ports.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { outbox, runRecord } from "../store/contract/fixtures.ts";

/**
 * Whether an outbox found saved went out (HandOn.isHandedOn): the runtime hands it on again when not, so a
 * wrong "not yet" repeats a send and a wrong "yes" loses one. Over the in-memory store, which answers proofs
 * from its own memory, the hand-on keeps none of its own: what it handed on and has not proven yet answers.
 */

/** A hand-on over `store` whose sink records each effect id delivered. */
function handOnOver(store: HandOnProofStore) {
  const delivered: string[] = [];
  const sink = { deliver: (effect: JourneyEffect) => void delivered.push(effect.id) };
  const handOn = new HandOn({ sink, publisher: { publish: () => undefined }, store });
  return { handOn, delivered };
}

/** Saves user `user`'s welcome record with its entry outbox under this batch's proof key, as a decision does. */
async function saveWithOutbox(store: MemoryStore, handOn: HandOn, user: string): Promise<Outbox> {
  const first = outbox(user);
  const pending = { ...first, proof: handOn.proofFor(first.effects[0]?.id ?? "") };
  await store.putRecord(runRecord({ key: user, pending }), undefined);
  return pending;
}

/** The in-memory store, its proof writes held until `release` (a slow proof write, as DynamoDB's can be). */
function storeWithHeldProofs() {
  const store = new MemoryStore({ journal: false });
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const prove = store.proveHandedOn.bind(store);
  store.proveHandedOn = async (proof, ids) => {
    await held;
    await prove(proof, ids);
  };
  return { store, release };
}

describe("HandOn over a store that answers proofs at once", () => {
  it("counts an outbox of this batch handed on before its proof is written, and not one it never handed on", async () => {
    // Prepare: two decisions of one batch saved; the first one's outbox handed on.
    const store = new MemoryStore({ journal: false });
    const { handOn, delivered } = handOnOver(store);
    const first = await saveWithOutbox(store, handOn, "u1");
    const second = await saveWithOutbox(store, handOn, "u2");
    await handOn.handOn(first);

    // Act
    const answers = [await handOn.isHandedOn(first), await handOn.isHandedOn(second)];

    // Assess: the store has no proof yet; the hand-on knows the first went out.
    expect(store.answersProofsAtOnce).toBe(true);
    expect(store.isHandedOn({ proof: first.proof ?? "", id: first.effects[0]?.id ?? "", at: "" })).toBe(false);
    expect(answers).toEqual([true, false]);
    expect(delivered).toEqual(["welcome:u1:1:0:entered", "welcome:u1:1:1:sent"]);
  });

  it("counts an outbox handed on while its proof is being written, and once written, by the store's answer", async () => {
    // Prepare: an outbox handed on; its batch's proof write started and not finished.
    const { store, release } = storeWithHeldProofs();
    const { handOn } = handOnOver(store);
    const saved = await saveWithOutbox(store, handOn, "u1");
    await handOn.handOn(saved);
    const proving = handOn.prove();

    // Act
    const whileProving = await handOn.isHandedOn(saved);
    release();
    await proving;
    const afterwards = await handOn.isHandedOn(saved);

    // Assess
    expect(whileProving).toBe(true);
    expect(afterwards).toBe(true);
  });

  it("answers from the store once the proof is in: the next batch's hand-on knows nothing of the last", async () => {
    // Prepare: a batch handed on and proven, then an outbox saved by the next batch and not handed on.
    const store = new MemoryStore({ journal: false });
    const { handOn } = handOnOver(store);
    const proven = await saveWithOutbox(store, handOn, "u1");
    await handOn.handOn(proven);
    await handOn.prove();
    const left = await saveWithOutbox(store, handOn, "u2");

    // Act
    const answers = [await handOn.isHandedOn(proven), await handOn.isHandedOn(left)];

    // Assess: the proven one, from the store; the next batch's, saved and not handed on, goes out again.
    expect(answers).toEqual([true, false]);
    expect(left.proof).not.toBe(proven.proof);
  });
});

describe("HandOn over a store whose proofs cost a read", () => {
  it("remembers what it handed on: a record's next input asks the store nothing", async () => {
    // Prepare: the in-memory store seen as one without answersProofsAtOnce, its proof reads counted.
    const memory = new MemoryStore({ journal: false });
    let reads = 0;
    const store: HandOnProofStore = {
      proveHandedOn: (proof, ids) => memory.proveHandedOn(proof, ids),
      isHandedOn: (asked) => {
        reads++;
        return memory.isHandedOn(asked);
      },
    };
    const { handOn } = handOnOver(store);
    const saved = await saveWithOutbox(memory, handOn, "u1");
    await handOn.handOn(saved);
    await handOn.prove();

    // Act
    const answer = await handOn.isHandedOn(saved);

    // Assess
    expect(answer).toBe(true);
    expect(reads).toBe(0);
  });
});

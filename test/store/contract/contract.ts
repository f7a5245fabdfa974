import { afterEach, describe } from "vitest";
import type { ControlStore } from "../../../functions/runtime/control-cache.ts";
import type { JourneyStore } from "../../../functions/runtime/ports.ts";
import { budgetShardContract } from "./budget-shards.contract.ts";
import { budgetContract } from "./budgets.contract.ts";
import { controlContract } from "./controls.contract.ts";
import { T0 } from "./fixtures.ts";
import { outboxContract } from "./outbox.contract.ts";
import { recordContract } from "./records.contract.ts";
import { statsContract } from "./stats.contract.ts";
import { timerContract } from "./timers.contract.ts";

/**
 * The store contract: what every adapter of the storage ports (`JourneyStore`, functions/runtime/ports.ts,
 * and `ControlStore`, functions/runtime/control-cache.ts) promises, whatever keeps the data. One suite runs every
 * port method against each adapter (memory.contract.test.ts, dynamodb.contract.test.ts), so the simulator's
 * in-memory store and the platform's DynamoDB store cannot drift apart unseen.
 *
 * It asserts behaviour, never an adapter's requests or capacity units (the adapters' own tests do). Where
 * the adapters legitimately differ, a test states the weaker promise both keep, and says why in a comment.
 */

/** Every port a store adapter implements. */
export type ContractStore = JourneyStore & ControlStore;

export interface StoreUnderTest {
  store: ContractStore;
  /** Lets go of what the store holds (a client, a table). */
  close(): Promise<void>;
}

/**
 * Makes a new, empty store. `clock` is the wall clock the store may read (epoch ms; the DynamoDB store's
 * timer wheel and TTLs do, the in-memory store reads none): the tests move it as a tick's clock would move.
 */
export type StoreFactory = (options: { clock: () => number }) => Promise<StoreUnderTest>;

/** A fresh store for one test and its clock, which starts at `T0` unless told otherwise. */
export type OpenStore = (now?: number) => Promise<{ store: ContractStore; clock: { now: number } }>;

/** Declares the whole contract for one adapter, `name` in every test's title. */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    const open = opener(factory);
    recordContract(open);
    budgetContract(open);
    budgetShardContract(open);
    outboxContract(open);
    timerContract(open);
    controlContract(open);
    statsContract(open);
  });
}

/** Opens a fresh store per call and closes every store a test opened once it is over. */
function opener(factory: StoreFactory): OpenStore {
  const opened: StoreUnderTest[] = [];
  afterEach(async () => {
    for (const subject of opened.splice(0)) await subject.close();
  });
  return async (now = T0) => {
    const clock = { now };
    const subject = await factory({ clock: () => clock.now });
    opened.push(subject);
    return { store: subject.store, clock };
  };
}

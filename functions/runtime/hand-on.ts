import type { ShopEvent } from "../../events/catalog.ts";
import { outboxId } from "../engine/journal.ts";
import type { JourneyEffect, Outbox } from "../engine/model.ts";
import { runSteps, type Steps } from "./awaitable.ts";
import { type Awaitable, type HandOnProofStore, isPromise } from "./ports.ts";
import { RecentIds } from "./recent-ids.ts";

/**
 * Where a saved decision's effects go: the simulator prints them, the platform delivers them.
 * A sink that finishes at once may return nothing; the runtime then does not wait on it.
 */
export interface EffectSink {
  deliver(effect: JourneyEffect): Promise<void> | undefined;
  /** Optional: a decision's effects in one call, instead of `deliver` for each (the platform batches sends). */
  deliverAll?(effects: readonly JourneyEffect[]): Promise<void>;
}

/** Where events the journeys emit go: back to the runtime's input, so other journeys react to them. */
export interface EventPublisher {
  publish(event: ShopEvent): Promise<void> | undefined;
  /** Optional: a decision's events in one call, instead of `publish` for each. */
  publishAll?(events: readonly ShopEvent[]): Promise<void>;
}

/**
 * Handing saved outboxes on, and proving it (HandOnProofStore): a run record's outbox and a profile's alike.
 * The outboxes a batch saves share one proof key, the first one's first id; `prove` writes the batch's
 * proofs, one write a key. A crash or a failed send anywhere before the proof leaves the outbox saved and
 * not proven: the redelivered input (or the next input of the run or user) hands it all on again, with the
 * same ids, for the channels and the ingest function to drop what they had. So every effect of a saved
 * decision reaches its channel at least once, and is carried out once.
 */
export class HandOn {
  /**
   * First ids of outboxes this process handed on: a record's next input need not ask for the proof. None
   * when the store answers proofs from its own memory (`answersProofsAtOnce`): asking costs no request there.
   */
  private readonly handedOn: RecentIds | undefined;
  /** Outboxes handed on and not proven yet: written by `prove`. */
  private unproven = new UnprovenOutboxes();
  /** The outboxes `prove` is writing the proofs of, until it has: still handed on, while their proof is not in. */
  private proving: UnprovenOutboxes | undefined;
  /** The proof key of the outboxes this batch saves: the first one's first id. */
  private batchProof: string | undefined;
  /** The outboxes saved within `gathering`, to be handed on together at its end. */
  private gathered: Outbox[] | undefined;

  constructor(private readonly to: { sink: EffectSink; publisher: EventPublisher; store: HandOnProofStore }) {
    this.handedOn = to.store.answersProofsAtOnce ? undefined : new RecentIds(4096);
  }

  /** The proof key of the batch, for an outbox whose first id is `firstId`. */
  proofFor(firstId: string): string {
    this.batchProof ??= firstId;
    return this.batchProof;
  }

  /**
   * Writes the proof of every outbox handed on since the last `prove`, and starts a new batch. At once when
   * the store writes at once (runSteps): the in-memory store's batches cost no promise.
   */
  prove(): Awaitable<void> {
    this.batchProof = undefined;
    if (this.unproven.size === 0) return undefined;
    const proofs = this.unproven;
    this.unproven = new UnprovenOutboxes();
    this.proving = proofs;
    return runSteps(this.proofWrites(proofs));
  }

  private *proofWrites(proofs: UnprovenOutboxes): Steps<void> {
    try {
      for (const [proof, ids] of proofs.byProof) yield this.to.store.proveHandedOn(proof, ids);
    } finally {
      if (this.proving === proofs) this.proving = undefined;
    }
  }

  /**
   * Hands the saved outboxes of `work` on together, once it is done: the sink and the publisher each get
   * them all in one call (the platform's queues take them ten a request, not a request a decision). Used for
   * a campaign's entries, a hundred members a wake-up. Nothing is remembered as handed on, nor queued for a
   * proof, until the sends succeed: when `work` or a send fails, the outboxes saved stay unproven, and the
   * input's redelivery finds them and hands them on again. Within another gathering, `work` joins it; with a
   * sink that takes effects one by one (the simulator's: it prints them in order), `work` runs as it is.
   */
  async gathering<T>(work: () => Promise<T>): Promise<T> {
    if (this.gathered !== undefined || this.to.sink.deliverAll === undefined) return work();
    const gathered: Outbox[] = [];
    this.gathered = gathered;
    let result: T;
    try {
      result = await work();
    } finally {
      this.gathered = undefined;
    }
    await this.handOnInBatches(gathered);
    return result;
  }

  /**
   * Hands a saved outbox on: its effects to the sink, its events to the publisher; proven at `prove`. Nothing
   * to wait for (undefined) when the sink and publisher finished at once: the simulator's do.
   */
  handOn(outbox: Outbox): Promise<void> | undefined {
    if (this.gathered !== undefined) {
      this.gathered.push(outbox);
      return undefined;
    }
    const { sink, publisher } = this.to;
    if (sink.deliverAll !== undefined || publisher.publishAll !== undefined) return this.handOnInBatches([outbox]);
    return this.handOnFrom(outbox, 0);
  }

  /** Its effects, then its events, one at a time from the `next`th of them; waits only on what does not finish at once. */
  private handOnFrom(outbox: Outbox, next: number): Promise<void> | undefined {
    const { sink, publisher } = this.to;
    const { effects, events } = outbox;
    for (let i = next; i < effects.length + events.length; i++) {
      const effect = effects[i];
      const waiting =
        effect !== undefined ? sink.deliver(effect) : publisher.publish(events[i - effects.length] as ShopEvent);
      if (waiting) return waiting.then(() => this.handOnFrom(outbox, i + 1));
    }
    this.handedOnNow(outbox);
    return undefined;
  }

  /** Outboxes to a sink or publisher that takes many in one call: all their effects, then all their events. */
  private async handOnInBatches(outboxes: readonly Outbox[]): Promise<void> {
    const { sink, publisher } = this.to;
    const effects = outboxes.length === 1 ? (outboxes[0] as Outbox).effects : outboxes.flatMap((o) => o.effects);
    const events = outboxes.length === 1 ? (outboxes[0] as Outbox).events : outboxes.flatMap((o) => o.events);
    if (sink.deliverAll) {
      if (effects.length > 0) await sink.deliverAll(effects);
    } else
      for (const effect of effects) {
        const delivering = sink.deliver(effect);
        if (delivering) await delivering;
      }
    if (publisher.publishAll) {
      if (events.length > 0) await publisher.publishAll(events);
    } else
      for (const event of events) {
        const publishing = publisher.publish(event);
        if (publishing) await publishing;
      }
    for (const outbox of outboxes) this.handedOnNow(outbox);
  }

  /** An outbox all handed on: remembered, and queued for its batch's proof. */
  private handedOnNow(outbox: Outbox): void {
    const id = outboxId(outbox);
    if (id === undefined) return;
    this.handedOn?.remember(id);
    if (outbox.proof !== undefined) this.unproven.add(outbox.proof, id);
  }

  /** Whether an outbox found saved went out: this process handed it on, or its proof says so. */
  isHandedOn(outbox: Outbox): Awaitable<boolean> {
    const id = outboxId(outbox);
    if (id === undefined) return true; // nothing in it
    if (this.handedOn?.has(id)) return true;
    // Saved before proofs existed (no key): handed on again, which the channels drop if they had it.
    if (outbox.proof === undefined) return false;
    // Handed on, its proof not written yet (this batch's, or the one `prove` is writing).
    if (this.unproven.has(id) || this.proving?.has(id)) return true;
    const at = outbox.effects[0]?.at ?? outbox.events[0]?.time ?? "";
    const proven = this.to.store.isHandedOn({ proof: outbox.proof, id, at });
    return isPromise(proven) ? proven.then((answer) => this.provenAs(id, answer)) : this.provenAs(id, proven);
  }

  private provenAs(id: string, proven: boolean): boolean {
    if (proven) this.handedOn?.remember(id);
    return proven;
  }
}

/**
 * Outboxes handed on and not proven yet: their first ids by proof key, for the proofs' writes, and all of them in
 * a set, for `isHandedOn`: a batch's record read again before its flush is answered at once, not by a scan of
 * the batch's ids (a list as long as the batch, searched for each such read).
 */
class UnprovenOutboxes {
  readonly byProof = new Map<string, string[]>();
  private readonly ids = new Set<string>();

  get size(): number {
    return this.byProof.size;
  }

  add(proof: string, id: string): void {
    const ids = this.byProof.get(proof);
    if (ids === undefined) this.byProof.set(proof, [id]);
    else ids.push(id);
    this.ids.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}

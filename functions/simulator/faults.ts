import type { ShopEvent } from "../../events/catalog.ts";
import { type JourneyEffect, type RunRecord, type WakeUp, wakeUpToken } from "../engine/model.ts";
import type { JourneyStore } from "../runtime/ports.ts";
import { NudgeError } from "../shared/errors.ts";
import { hash53 } from "../shared/hash.ts";
import { MinHeap } from "../shared/min-heap.ts";

/**
 * Fault injection for the simulator, to prove the runtime's guarantees (exactly-once effects over
 * at-least-once delivery) with the real engine and store:
 *
 * - Duplicates: a share of the inputs (events, the events journeys emit, wake-ups) is delivered again
 *   after a few further inputs, as SQS redelivers a message whose receipt was lost.
 * - Crashes: a share of the invocations dies at the state update: at its first run-record save, right
 *   after the record is saved with its pending effects and before they are carried out, or (half of
 *   them) right before the save. The input is then delivered again at once, as SQS does after a Lambda
 *   invocation failed; the retry may crash too (at its own first save, which is a later journey's when
 *   the first journey's decision was saved), up to MAX_CRASHES_PER_DELIVERY times. An invocation that
 *   saves no run record (a redelivery, an event no journey acts on) has nothing to crash at.
 *
 * Every choice is a hash of the seed and the input's id (and the delivery and attempt), never
 * Math.random, so a run with the same seed injects the same faults.
 */

/** Thrown by the crashing store: the invocation dies here. Only the simulator catches it. */
export class SimulatedCrash extends NudgeError {}

export interface FaultOptions {
  /** The share of inputs (0..1) delivered a second time, interleaved with later inputs. */
  duplicateRate?: number;
  /** The share of invocations (0..1) that die around their first run-record save and are then retried. */
  crashRate?: number;
  /** Picks which inputs and invocations are hit (default 1): the same seed, the same faults. */
  seed?: number;
}

export interface FaultReport {
  /** Inputs delivered a second time. */
  duplicates: number;
  /** Invocations that died right after their run record was saved, before its effects went out. */
  crashesAfterSave: number;
  /** Invocations that died right before saving their run record. */
  crashesBeforeSave: number;
  /** Invocations retried after a crash (each crash is retried). */
  retries: number;
}

/** What the simulator delivers: an event (from the file or emitted by a journey) or a wake-up. */
export type SimulatorInput = { kind: "event"; event: ShopEvent } | { kind: "wake-up"; wakeUp: WakeUp };

/** A stable id of an input: the event id, or what identifies a wake-up (a fired one can come again). */
export function inputId(input: SimulatorInput): string {
  if (input.kind === "event") return input.event.id;
  const { wakeUp } = input;
  const token = wakeUpToken(wakeUp);
  return `wake-up|${wakeUp.journeyId}|${wakeUp.key}|${token}|${wakeUp.at}`;
}

/** A redelivery comes after 1 to this many further first deliveries. */
export const MAX_REDELIVERY_DELAY = 8;
/** Crashes per delivery of an input at most: the next attempt goes through (as it would, in time). */
export const MAX_CRASHES_PER_DELIVERY = 3;

/** Checks a rate option: a number from 0 to 1. */
export function checkRate(name: string, rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name}: expected a number from 0 to 1, got ${rate}`);
  return rate;
}

type CrashPoint = "before-save" | "after-save";

/**
 * The store seen by the runtime under crash injection: the real store, except that when armed its next
 * `putRecord` throws SimulatedCrash before or after the real write.
 */
export class CrashingStore implements JourneyStore {
  private armed: CrashPoint | undefined;

  constructor(
    readonly inner: JourneyStore,
    private readonly onCrash: (point: CrashPoint) => void,
  ) {}

  /** The next putRecord crashes (at the point given), or none (undefined). */
  arm(point: CrashPoint | undefined): void {
    this.armed = point;
  }

  async putRecord(record: RunRecord, expectedRevision: number | undefined): Promise<number> {
    const point = this.armed;
    if (point === "before-save") this.crash(point, record);
    // A write that loses its race throws ConcurrencyError here and the crash stays armed for the retry.
    const revision = await this.inner.putRecord(record, expectedRevision);
    if (point === "after-save") this.crash(point, record);
    return revision;
  }

  private crash(point: CrashPoint, record: RunRecord): never {
    this.armed = undefined;
    this.onCrash(point);
    throw new SimulatedCrash(`simulated crash ${point.replace("-", " ")} of ${record.journeyId}/${record.key}`);
  }

  getRecord(...args: Parameters<JourneyStore["getRecord"]>) {
    return this.inner.getRecord(...args);
  }
  getProfile(...args: Parameters<JourneyStore["getProfile"]>) {
    return this.inner.getProfile(...args);
  }
  getProfiles(...args: Parameters<JourneyStore["getProfiles"]>) {
    return this.inner.getProfiles(...args);
  }
  getUser(...args: Parameters<JourneyStore["getUser"]>) {
    return this.inner.getUser(...args);
  }
  putUser(...args: Parameters<JourneyStore["putUser"]>) {
    return this.inner.putUser(...args);
  }
  getCouponBudget(...args: Parameters<JourneyStore["getCouponBudget"]>) {
    return this.inner.getCouponBudget(...args);
  }
  chargeCouponBudget(...args: Parameters<JourneyStore["chargeCouponBudget"]>) {
    return this.inner.chargeCouponBudget(...args);
  }
  chargeCouponsTogether(...args: Parameters<JourneyStore["chargeCouponsTogether"]>) {
    return this.inner.chargeCouponsTogether(...args);
  }
  settleCouponCharges(...args: Parameters<JourneyStore["settleCouponCharges"]>) {
    return this.inner.settleCouponCharges(...args);
  }
  proveHandedOn(...args: Parameters<JourneyStore["proveHandedOn"]>) {
    return this.inner.proveHandedOn(...args);
  }
  isHandedOn(...args: Parameters<JourneyStore["isHandedOn"]>) {
    return this.inner.isHandedOn(...args);
  }
  userRuns(...args: Parameters<JourneyStore["userRuns"]>) {
    return this.inner.userRuns(...args);
  }
  indexSegmentChanges(...args: Parameters<JourneyStore["indexSegmentChanges"]>) {
    return this.inner.indexSegmentChanges(...args);
  }
  segmentMembers(...args: Parameters<JourneyStore["segmentMembers"]>) {
    return this.inner.segmentMembers(...args);
  }
  segmentParts() {
    return this.inner.segmentParts();
  }
  everyUser(...args: Parameters<JourneyStore["everyUser"]>) {
    return this.inner.everyUser(...args);
  }
  countSegmentMembers(...args: Parameters<JourneyStore["countSegmentMembers"]>) {
    return this.inner.countSegmentMembers(...args);
  }
  claimEffect(effect: JourneyEffect) {
    return this.inner.claimEffect(effect);
  }
  hasEffect(effectId: string) {
    return this.inner.hasEffect(effectId);
  }
  scheduleWakeUp(wakeUp: WakeUp) {
    return this.inner.scheduleWakeUp(wakeUp);
  }
  dueWakeUps(until: number, limit: number) {
    return this.inner.dueWakeUps(until, limit);
  }
  takeDueWakeUps(until: number, limit: number) {
    return this.inner.takeDueWakeUps(until, limit);
  }
  nextWakeUpAt() {
    return this.inner.nextWakeUpAt();
  }
  recordRedemption(...args: Parameters<JourneyStore["recordRedemption"]>) {
    return this.inner.recordRedemption(...args);
  }
  addStats(...args: Parameters<JourneyStore["addStats"]>) {
    return this.inner.addStats(...args);
  }
  readStats(...args: Parameters<JourneyStore["readStats"]>) {
    return this.inner.readStats(...args);
  }
  readHourlyStats(...args: Parameters<JourneyStore["readHourlyStats"]>) {
    return this.inner.readHourlyStats(...args);
  }
}

type Redelivery = { due: number; order: number; input: SimulatorInput };

/**
 * Delivers the simulator's inputs with faults: each delivery retried after a simulated crash, some
 * inputs queued to come again a few inputs later. The runtime must be built on `store`.
 */
export class FaultInjector {
  readonly report: FaultReport = { duplicates: 0, crashesAfterSave: 0, crashesBeforeSave: 0, retries: 0 };
  readonly store: JourneyStore;
  private readonly crashing: CrashingStore | undefined;
  private readonly duplicateRate: number;
  private readonly crashRate: number;
  private readonly seed: number;
  /** First deliveries so far: the clock of the redelivery queue. */
  private delivered = 0;
  private queued = 0;
  private readonly redeliveries = new MinHeap<Redelivery>(
    (a, b) => a.due < b.due || (a.due === b.due && a.order < b.order),
  );

  constructor(store: JourneyStore, options: FaultOptions) {
    this.duplicateRate = checkRate("duplicateRate", options.duplicateRate ?? 0);
    this.crashRate = checkRate("crashRate", options.crashRate ?? 0);
    this.seed = options.seed ?? 1;
    if (!Number.isSafeInteger(this.seed)) throw new RangeError(`seed: expected an integer, got ${this.seed}`);
    this.crashing =
      this.crashRate > 0
        ? new CrashingStore(store, (point) => {
            if (point === "after-save") this.report.crashesAfterSave++;
            else this.report.crashesBeforeSave++;
          })
        : undefined;
    this.store = this.crashing ?? store;
  }

  /** Whether these options inject any fault at all. */
  static injects(options: FaultOptions | undefined): boolean {
    const duplicateRate = checkRate("duplicateRate", options?.duplicateRate ?? 0);
    return duplicateRate > 0 || checkRate("crashRate", options?.crashRate ?? 0) > 0;
  }

  /** A number in [0, 1) drawn from the seed and the text. */
  private draw(text: string): number {
    return hash53(text, this.seed) / 2 ** 53;
  }

  /**
   * The first delivery of an input (retried until it survives), then every redelivery now due. The input
   * itself may be queued to come again after a few further inputs.
   */
  async deliver(input: SimulatorInput, handle: (input: SimulatorInput) => Promise<void>): Promise<void> {
    const id = inputId(input);
    await this.invoke(input, id, 0, handle);
    this.delivered++;
    if (this.duplicateRate > 0 && this.draw(`duplicate|${id}`) < this.duplicateRate) {
      const delay = 1 + Math.floor(this.draw(`delay|${id}`) * MAX_REDELIVERY_DELAY);
      this.redeliveries.push({ due: this.delivered + delay, order: this.queued++, input });
    }
    for (let next = this.redeliveries.peek(); next !== undefined && next.due <= this.delivered; ) {
      this.redeliveries.pop();
      await this.redeliver(next, handle);
      next = this.redeliveries.peek();
    }
  }

  /** Whether redeliveries are still queued. */
  get outstanding(): number {
    return this.redeliveries.size;
  }

  /** Delivers every redelivery still queued, so none is left when the run ends. */
  async deliverOutstanding(handle: (input: SimulatorInput) => Promise<void>): Promise<void> {
    for (let next = this.redeliveries.pop(); next !== undefined; next = this.redeliveries.pop()) {
      await this.redeliver(next, handle);
    }
  }

  private async redeliver(redelivery: Redelivery, handle: (input: SimulatorInput) => Promise<void>) {
    this.report.duplicates++;
    await this.invoke(redelivery.input, inputId(redelivery.input), 1, handle);
  }

  /** One delivery of an input: each simulated crash is followed by another attempt, as SQS redelivers. */
  private async invoke(
    input: SimulatorInput,
    id: string,
    delivery: number,
    handle: (input: SimulatorInput) => Promise<void>,
  ): Promise<void> {
    const crashing = this.crashing;
    if (crashing === undefined) return handle(input);
    for (let attempt = 1; ; attempt++) {
      crashing.arm(this.crashPoint(id, delivery, attempt));
      try {
        await handle(input);
        return;
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        this.report.retries++;
      } finally {
        crashing.arm(undefined);
      }
    }
  }

  /** Where (if at all) this attempt of this delivery of this input dies. */
  private crashPoint(id: string, delivery: number, attempt: number): CrashPoint | undefined {
    if (attempt > MAX_CRASHES_PER_DELIVERY) return undefined;
    const at = `${id}|${delivery}|${attempt}`;
    if (this.draw(`crash|${at}`) >= this.crashRate) return undefined;
    return this.draw(`crash-point|${at}`) < 0.5 ? "before-save" : "after-save";
  }
}

/** The fault report as one line for people (stderr). */
export function formatFaultReport(inputs: number, report: FaultReport): string {
  const crashes = report.crashesAfterSave + report.crashesBeforeSave;
  return (
    `faults: ${inputs} inputs, ${report.duplicates} duplicates delivered, ${crashes} crashes injected ` +
    `(${report.crashesAfterSave} after the state update, ${report.crashesBeforeSave} before it), ` +
    `${report.retries} retried`
  );
}

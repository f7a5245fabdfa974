import type { ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect, WakeUp } from "../../functions/engine/model.ts";
import type { PolicyConfig } from "../../functions/engine/policies/config.ts";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import type { Journey } from "../../functions/language/schema.ts";
import { armNextOccurrence } from "../../functions/runtime/campaign-fan-out.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { tick } from "../../functions/runtime/tick-engine.ts";
import { NudgeError } from "../../functions/shared/errors.ts";

/**
 * A process that dies at an await point, for the crash-point suite (test/guarantees/crash-points.test.ts).
 * Every call the runtime and the tick make on the store, the delivery queue (the sink) and the ingest
 * queue (the publisher) is an await point, named `<call>:before` or `<call>:after`. The harness drives the
 * seed journeys over events on a virtual clock as the platform would: an input whose process died is
 * delivered again to a new process (SQS redelivers it), with nothing of the dead one's memory.
 */
export class ProcessCrash extends NudgeError {}

/**
 * Decides whether the process dies at this point: its name, how many times it was reached in the run, and
 * where the current delivery stands: its attempt (1 for the first) and the points reached in that attempt.
 */
export type CrashPlan = (point: string, reached: number, delivery: { attempt: number; step: number }) => boolean;

export interface HarnessOptions {
  journeys: readonly Journey[];
  policies: PolicyConfig;
  store: JourneyStore;
  events: readonly ShopEvent[];
  /** When the run ends: wake-ups due until then fire (epoch ms). */
  until: number;
  plan?: CrashPlan;
  /** Told the virtual time before each input and tick (a DynamoDB store's clock follows it). */
  onTime?: (now: number) => void;
  /** The platform's computed traits and segments (a campaign's audience); none when absent. */
  traits?: TraitsFile;
  /** Arms each campaign's next occurrence after this time, as the local platform does at start. */
  armCampaignsAfter?: number;
  /**
   * A deploy during the run: the inputs from `at` on go to processes with these journeys (a new version
   * beside the old one, whose migration map moves the runs in flight).
   */
  deploy?: { at: number; journeys: readonly Journey[] };
}

export interface HarnessResult {
  /** What reached the channels: each message id once, as a provider with an idempotency key keeps it. */
  delivered: Map<string, JourneyEffect>;
  /** Ids that reached a channel again with a different content: a repeat the channel could not drop. */
  conflicts: string[];
  /** Effects handed on in all (repeats included), and processes that died. */
  handedOn: number;
  crashes: number;
  /** Every await point reached, by name, in the run (for a plan to choose from). */
  points: Map<string, number>;
}

/** Wraps every method of an object so that each call is an await point. */
function crashable<T extends object>(target: T, name: string, check: (point: string) => void): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return async (...args: unknown[]) => {
        check(`${name}.${property}:before`);
        const result = await value.apply(object, args);
        check(`${name}.${property}:after`);
        // What a call hands back to be finished later (a tick's due wake-ups) has await points too.
        if (isLease(result)) return crashable(result, `${name}.${property}`, check);
        return result;
      };
    },
  });
}

function isLease(value: unknown): value is { done: () => Promise<boolean> } {
  return typeof value === "object" && value !== null && typeof (value as { done?: unknown }).done === "function";
}

export async function runWithCrashes(options: HarnessOptions): Promise<HarnessResult> {
  const result: HarnessResult = { delivered: new Map(), conflicts: [], handedOn: 0, crashes: 0, points: new Map() };
  let catalog = new JourneyCatalog(options.journeys);
  let deploy = options.deploy;
  const published: ShopEvent[] = [];
  const delivery = { attempt: 0, step: 0 };
  const check = (point: string) => {
    const reached = (result.points.get(point) ?? 0) + 1;
    result.points.set(point, reached);
    delivery.step++;
    if (options.plan?.(point, reached, delivery)) {
      result.crashes++;
      throw new ProcessCrash(`the process died at ${point} (${reached})`);
    }
  };
  const channel = (effects: readonly JourneyEffect[]) => {
    for (const effect of effects) {
      result.handedOn++;
      const known = result.delivered.get(effect.id);
      if (known === undefined) result.delivered.set(effect.id, effect);
      else if (JSON.stringify(known) !== JSON.stringify(effect)) result.conflicts.push(effect.id);
    }
  };
  const store = crashable(options.store, "store", check);
  // When wake-ups fall due, as scheduled (a stale or repeated one included): the virtual clock stops there.
  const dueTimes: number[] = [];
  const timers = new Proxy(store, {
    get(object, property, receiver) {
      if (property !== "scheduleWakeUp") return Reflect.get(object, property, receiver);
      return async (wakeUp: WakeUp) => {
        await object.scheduleWakeUp(wakeUp);
        dueTimes.push(Date.parse(wakeUp.at));
      };
    },
  });
  const queues = crashable(
    {
      deliverAll: async (effects: readonly JourneyEffect[]) => channel(effects),
      publishAll: async (events: readonly ShopEvent[]) => void published.push(...events),
    },
    "queue",
    check,
  );
  // A new process: a new runtime, with nothing of the last one's memory, on the same table and queues.
  const newProcess = () =>
    new JourneyRuntime({
      catalog,
      store: timers,
      policies: options.policies,
      ...(options.traits === undefined ? {} : { traits: options.traits }),
      sink: { deliver: () => undefined, deliverAll: (effects) => queues.deliverAll(effects) },
      publisher: { publish: () => undefined, publishAll: (events) => queues.publishAll(events) },
    });
  let runtime = newProcess();
  // The deploy, once the virtual clock reaches it: new processes, with the new journeys, from then on.
  const deployBy = (now: number) => {
    if (deploy === undefined || now < deploy.at) return;
    catalog = new JourneyCatalog(deploy.journeys);
    runtime = newProcess();
    deploy = undefined;
  };
  // At least once: an input is delivered until a process gets through it.
  const deliver = async (handle: (runtime: JourneyRuntime) => Promise<unknown>) => {
    for (delivery.attempt = 1; ; delivery.attempt++) {
      delivery.step = 0;
      try {
        return await handle(runtime);
      } catch (error) {
        if (!(error instanceof ProcessCrash)) throw error;
        runtime = newProcess();
      }
    }
  };
  const drainPublished = async (now: number) => {
    for (let event = published.shift(); event !== undefined; event = published.shift())
      await deliver((process) => process.handleEvent(event, now));
  };
  const armAfter = options.armCampaignsAfter;
  if (armAfter !== undefined)
    for (const journey of catalog.current()) await deliver(() => armNextOccurrence(timers, journey, armAfter));
  let clock = Number.NEGATIVE_INFINITY;
  const nextDue = () => {
    let next: number | undefined;
    for (const at of dueTimes) if (at > clock && (next === undefined || at < next)) next = at;
    return next;
  };
  const fireWakeUpsUntil = async (until: number) => {
    for (let next = nextDue(); next !== undefined && next <= until; next = nextDue()) {
      const now = next;
      clock = now;
      options.onTime?.(now);
      deployBy(now);
      const fired: WakeUp[] = [];
      const handOn = async (batch: { wakeUp: WakeUp }[]) => void fired.push(...batch.map((b) => b.wakeUp));
      const tickQueue = crashable({ handOn }, "queue", check);
      // The tick is a process of its own: when it dies, the next tick runs.
      await deliver(() => tick({ timers, now, lookaheadMs: 0, handOn: tickQueue.handOn }));
      for (const wakeUp of fired) {
        await deliver((process) => process.handleWakeUp(wakeUp, now));
        await drainPublished(now);
      }
    }
  };
  for (const event of options.events) {
    const at = Date.parse(event.time);
    await fireWakeUpsUntil(at);
    clock = Math.max(clock, at);
    options.onTime?.(clock);
    deployBy(at);
    await deliver((process) => process.handleEvent(event, at));
    await drainPublished(at);
  }
  await fireWakeUpsUntil(options.until);
  return result;
}

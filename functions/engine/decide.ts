import type { ShopEvent } from "../../events/catalog.ts";
import { unitInterval } from "../shared/hash.ts";
import { flat, formatInstant, parseInstant } from "../shared/time.ts";
import { admits } from "./admission.ts";
import { clockDueAt } from "./backfill.ts";
import { occurrenceEvent } from "./campaigns.ts";
import type { CompiledJourney } from "./compile.ts";
import { emptyProfile } from "./context.ts";
import type { EngineArgs } from "./engine-args.ts";
import { type EventEffects, eventEffects } from "./event-effects.ts";
import { dueMove, moveRun, type RunMove } from "./migration.ts";
import type { Profile, Run, RunRecord, WakeUp } from "./model.ts";
import { messageId } from "./policies/reserve.ts";
import { type PolicyOutcome, policyState } from "./policy-state.ts";
import { armedAtOf, copyRecord, newRecord } from "./run-records.ts";
import { effectBase, endRun, runFrom, type StepContext, type StepOutput } from "./steps.ts";
import { profileAt } from "./traits/profile.ts";

export type { EngineArgs } from "./engine-args.ts";
export { newRecord, newWakeUpsOf } from "./run-records.ts";

/**
 * The pure core: (journey, run record, input, now) -> (new record, effects). No I/O, no clock, no
 * randomness: the same arguments always give the same answer, which is what makes retries, replays and
 * simulations safe. Records are never mutated; a changed record is a fresh copy.
 */

export interface Decision extends StepOutput {
  record: RunRecord;
  /**
   * Journey steps taken: each node of the journey run for the run, plus each event-driven transition
   * (a goal converted, an exit on an event, an inactivity clock restarted, an exit remembered). The unit
   * of the throughput and cost figures.
   */
  steps: number;
  /** The ids of the journey steps the run reached, in order (a deferred step tried again is not repeated). */
  visited: string[];
  /** Profile attributes set by update-profile steps, for the profile store. */
  profile?: Profile;
  /** What the policy checks reserved and what state they lacked (see functions/engine/policy-state.ts). */
  policy: PolicyOutcome;
}

/** How many recent event ids a record remembers to recognise a redelivery. */
const REMEMBERED_EVENT_IDS = 8;

/**
 * The part of an event a run keeps: what the context documents (id, source, detail-type, time, detail).
 * The envelope's account, region and resources say nothing about a customer and would be stored with
 * every run.
 */
function kept(event: ShopEvent): ShopEvent {
  return {
    id: event.id,
    source: event.source,
    "detail-type": event["detail-type"],
    time: event.time,
    detail: event.detail,
  };
}

function userIdOf(event: ShopEvent, key: string): string {
  const userId = event.detail.userId;
  return typeof userId === "string" ? userId : key;
}

function contextFor(args: EngineArgs, journey: CompiledJourney, userId: string): StepContext {
  // The profile is shared, not copied: an update-profile step replaces it with a changed copy.
  return {
    journey,
    profile: profileAt(args.profile ?? emptyProfile(userId), journey, args),
    profileChanged: false,
    now: args.now,
    out: { effects: [], events: [] },
    steps: 0,
    visited: [],
    policy: policyState(args.policy),
    paused: args.paused === true,
    heldPlace: undefined,
  };
}

function decided(record: RunRecord, ctx: StepContext): Decision {
  if (record.recentEventIds.length > 0 && !needsEventIds(ctx.journey, record)) record.recentEventIds = [];
  // The profile set after the literal: a conditional spread in it takes V8's slow path, every decision.
  const decision: Decision = {
    record,
    effects: ctx.out.effects,
    events: ctx.out.events,
    steps: ctx.steps,
    visited: ctx.visited,
    policy: ctx.policy,
  };
  if (ctx.profileChanged) decision.profile = ctx.profile;
  return decision;
}

/** Starts a run for the record if the re-entry rule and the audience admit it. */
function enter(record: RunRecord, trigger: ShopEvent, ctx: StepContext): boolean {
  const journey = ctx.journey;
  if (!admits(journey, record, trigger, ctx)) return false;
  const triggeredAt = parseInstant(trigger.time) ?? ctx.now;
  const userId = userIdOf(trigger, record.key);
  const runId = flat(`${journey.id}:${record.key}:${record.entries + 1}`);
  const holdout = unitInterval(`holdout/${journey.id}/${userId}`) < journey.holdoutFraction;
  const enteredAt = formatInstant(ctx.now);
  const run: Run = {
    runId,
    journeyId: journey.id,
    version: journey.version,
    key: record.key,
    userId,
    holdout,
    status: "active",
    enteredAt,
    seq: 0,
    trigger: kept(trigger),
    outputs: {},
  };
  if (journey.goal) run.goal = { until: formatInstant(ctx.now + journey.goal.withinMs) };
  record.entries += 1;
  record.lastEnteredAt = enteredAt;
  if (journey.journey.trigger.type === "event") record.lastTriggerAt = formatInstant(triggeredAt);
  record.run = run;
  ctx.out.effects.push(effectBase(run, ctx.now, "entered", holdout ? "holdout" : "journey.entered"));
  runFrom(run, journey.journey.start, ctx);
  return true;
}

/**
 * Applies an event to one journey's record for one key. Returns undefined when nothing changes. What the
 * event does is worked out on the stored record first, so the common case (an event that concerns the
 * journey's type but changes nothing) copies nothing.
 */
export function decideEvent(args: EngineArgs & { event: ShopEvent }): Decision | undefined {
  const { event, current, record: stored } = args;
  if (stored?.recentEventIds.includes(event.id)) return undefined;
  // A run the newest version's migration map moves: moved first, then the event applies to it there.
  const move = args.history === true ? undefined : dueMove(current, stored);
  if (move !== undefined) return decideEventAfterMove(args, move);
  const does = eventEffects(args);
  if (does === undefined) return undefined;
  const record = stored ? copyRecord(stored) : newRecord(current.id, args.key);
  const ctx = contextFor(args, does.runJourney, userIdOf(event, args.key));
  return applyEvent(record, { args, does, ctx, changed: false });
}

/** The stored record's run moved onto the newest version (migration.ts), then the event applied to it. */
function decideEventAfterMove(args: EngineArgs & { event: ShopEvent }, move: RunMove): Decision | undefined {
  const { event, current } = args;
  const record = args.record === undefined ? newRecord(current.id, args.key) : copyRecord(args.record);
  const ctx = contextFor(args, current, userIdOf(event, args.key));
  if (record.run !== undefined) moveRun(record.run, move, ctx);
  const does = eventEffects({ ...args, record, runJourney: current });
  if (does !== undefined) return applyEvent(record, { args, does, ctx, changed: true });
  rememberEvent(record, event);
  return decided(record, ctx);
}

/** What the event does (eventEffects) applied to a fresh copy of the record; undefined when nothing changed. */
function applyEvent(
  record: RunRecord,
  applying: { args: EngineArgs & { event: ShopEvent }; does: EventEffects; ctx: StepContext; changed: boolean },
): Decision | undefined {
  const { args, does, ctx } = applying;
  const { event, current } = args;
  let changed = applying.changed;
  const run = record.run;
  if (run?.goal && does.converts) changed = convertGoal(run, event, does.eventTime, ctx);
  if (run && does.exits) {
    suppressDeferred(run, ctx, event["detail-type"]);
    endRun(run, ctx, "exit-event", event["detail-type"]);
    ctx.steps++;
    changed = true;
  } else if (run && does.arrivesAt !== undefined) {
    run.event = kept(event);
    run.wake = undefined;
    runFrom(run, does.arrivesAt.onEvent, ctx);
    changed = true;
  }
  if (does.triggers) {
    ctx.journey = current; // a new run enters the current version, whatever the previous run's was
    changed = enter(record, event, ctx) || changed;
  } else if (does.pausedTrigger) {
    changed = skippedWhilePaused(record, event, { ...ctx, journey: current }) || changed;
  } else if (does.restartsClock) {
    ctx.steps++;
    const dueAt = clockDueAt({
      eventTime: does.eventTime,
      now: args.now,
      forMs: current.inactivityMs,
      mode: does.mode,
    });
    restartClock(record, { event, eventTime: does.eventTime, dueAt });
    changed = true;
  }
  // Remembered after the trigger: an event that is both exit and trigger (a check-in) ends the run it
  // finds and may start the next, run or not; its own exit must not bar it as an older trigger.
  if (does.tombstone) {
    const at = formatInstant(does.eventTime);
    if (record.lastExitEventAt === undefined || at > record.lastExitEventAt) record.lastExitEventAt = at;
    ctx.steps++;
    changed = true;
  }
  if (!changed) return undefined;
  rememberEvent(record, event);
  return decided(record, ctx);
}

/**
 * The event's id added to the record's, the oldest dropped past REMEMBERED_EVENT_IDS: a new array, exactly as
 * long as the ids it holds. The record's copy shares the array it was copied from (copyRecord), which no
 * decision changes; a store keeps the array as it is, with no room to spare (a push would leave room for 17).
 */
function rememberEvent(record: RunRecord, event: ShopEvent): void {
  const ids = record.recentEventIds;
  // concat of an array, not of the id itself: that would make a holey array, a slower kind for V8.
  const added = [event.id];
  record.recentEventIds = ids.length < REMEMBERED_EVENT_IDS ? ids.concat(added) : ids.slice(1).concat(added);
}

/** The run's goal converted by the event: the conversion, with the order value it carries and the group. */
function convertGoal(run: Run, event: ShopEvent, eventTime: number, ctx: StepContext): boolean {
  if (run.goal === undefined) return false;
  run.goal.convertedAt = formatInstant(eventTime);
  ctx.steps++;
  const {
    at,
    journey,
    version,
    user,
    run: runId,
    type,
    id,
  } = effectBase(run, ctx.now, `goal:${event.id}`, "goal.converted");
  const converting = { id: event.id, "detail-type": event["detail-type"] };
  // The order value it carries, and the group, for the report's conversion value and uplift.
  const amount = event.detail.amount;
  ctx.out.effects.push({
    at,
    journey,
    version,
    user,
    run: runId,
    type,
    id,
    event: converting,
    ...(typeof amount === "number" && Number.isFinite(amount) ? { value: amount } : {}),
    ...(run.holdout ? { holdout: true as const } : {}),
  });
  return true;
}

/** A trigger the journey would have admitted but for its pause: noted on the record, for `nudge why`. */
function skippedWhilePaused(record: RunRecord, event: ShopEvent, ctx: StepContext): boolean {
  if (!admits(ctx.journey, record, event, ctx)) return false;
  const { id, version } = ctx.journey.journey;
  record.skippedWhilePaused = { at: formatInstant(ctx.now), journey: id, version, event: event["detail-type"] };
  return true;
}

/** Restarts the record's inactivity clock: running since the event, due at `dueAt`. */
function restartClock(record: RunRecord, clock: { event: ShopEvent; eventTime: number; dueAt: number }): void {
  const { event, eventTime, dueAt } = clock;
  // The pending wake-up, if earlier, stays: it re-arms for the new due time when it fires.
  const armedAt = armedAtOf(record.inactivity);
  const armed = parseInstant(armedAt);
  record.inactivity = {
    since: formatInstant(eventTime),
    dueAt: formatInstant(dueAt),
    lastEvent: kept(event),
    armedAt: armedAt !== undefined && armed !== undefined && armed <= dueAt ? armedAt : formatInstant(dueAt),
  };
}

/**
 * A run that ends while it waits to send a deferred message (a review request for an order refunded
 * meanwhile): the message is suppressed, and the record says by which exit event.
 */
function suppressDeferred(run: Run, ctx: StepContext, exitEvent: string): void {
  const step = run.stepId === undefined ? undefined : ctx.journey.step(run.stepId);
  if (step?.type !== "send") return;
  const base = effectBase(run, ctx.now, "message-dropped", "message.suppressed");
  const { channel, template } = step;
  ctx.out.effects.push({ ...base, channel, template, reason: "run-exited", rule: `exit-on:${exitEvent}` });
}

/**
 * Whether a redelivered event could still change the record. Once a journey that admits a key only once
 * has run it to the end, every event left is idempotent by state (a goal converts once, an exit is
 * remembered as the latest time), so the record need not remember event ids: most records are such.
 */
function needsEventIds(journey: CompiledJourney, record: RunRecord): boolean {
  return journey.journey.reentry.type !== "never" || record.entries === 0 || record.run?.status === "active";
}

/** Applies a timer that fell due. A stale timer (the run moved on, the clock restarted) changes nothing. */
export function decideWakeUp(args: EngineArgs & { wakeUp: WakeUp }): Decision | undefined {
  const { wakeUp, record: stored } = args;
  if (wakeUp.kind === "campaign") return decideCampaignEntry(args, wakeUp);
  // An occurrence's fan-out is the runtime's (functions/runtime/campaign-fan-out.ts), never a run's; so is
  // splitting a group's entries into each member's.
  if (wakeUp.kind === "occurrence" || wakeUp.kind === "entries") return undefined;
  if (stored === undefined) return undefined;
  if (wakeUp.kind === "inactivity") {
    const clock = stored.inactivity;
    if (clock === undefined || armedAtOf(clock) !== wakeUp.at) return undefined;
    const record = copyRecord(stored);
    if (clock.dueAt !== wakeUp.at) {
      // The clock restarted since this wake-up was set: it now falls due later. Re-arm; no step taken.
      record.inactivity = { ...clock, armedAt: clock.dueAt };
      return decided(record, contextFor(args, args.current, userIdOf(clock.lastEvent, args.key)));
    }
    const lastEvent = clock.lastEvent;
    // The clock is spent: only a new clock event (an order, say) starts it again.
    record.inactivity = undefined;
    const ctx = contextFor(args, args.current, userIdOf(lastEvent, args.key));
    enter(record, lastEvent, ctx);
    return decided(record, ctx);
  }
  // A profile's wake-up is the runtime's to review (functions/engine/segments/review.ts), never a run's.
  if (wakeUp.kind === "profile") return undefined;
  const run = stored.run;
  // A wake-up is current only if it matches the run's pending one exactly: step visit and due time.
  const current = run?.wake;
  if (run?.status !== "active" || current?.seq !== wakeUp.seq || current.at !== wakeUp.at || run.stepId === undefined) {
    return undefined;
  }
  const record = copyRecord(stored);
  const live = record.run;
  if (live === undefined) return undefined;
  // The newest version's migration map moves the run: the move takes the place of the old step's wake-up.
  const move = dueMove(args.current, stored);
  if (move !== undefined) {
    const moving = contextFor(args, args.current, run.userId);
    moveRun(live, move, moving);
    return decided(record, moving);
  }
  const journey = args.runJourney ?? args.current;
  const ctx = contextFor(args, journey, run.userId);
  const step = journey.step(run.stepId);
  live.wake = undefined;
  // A run waits at a send step for a deferred message, at a coupon step for the next day's budget: it
  // tries that step again (`retrying`). Otherwise it waited at a wait step and goes on.
  const next =
    step.type === "wait-for-event"
      ? step.onTimeout
      : step.type === "wait" || step.type === "wait-until"
        ? step.next
        : step.type === "send" || step.type === "issue-coupon"
          ? step.id
          : undefined;
  if (step.type === "send") ctx.heldPlace = messageId(run.runId, current.seq);
  runFrom(live, next, ctx, step.type === "send" || step.type === "issue-coupon");
  return decided(record, ctx);
}

/**
 * A member's entry at a campaign's occurrence: a run starts when the member is still in the campaign's
 * segment (membership now, at their own occurrence) and the journey admits them (audience, re-entry). An
 * occurrence entered once, or older than the last entered, starts nothing: a redelivered wake-up is none.
 */
function decideCampaignEntry(args: EngineArgs, wakeUp: Extract<WakeUp, { kind: "campaign" }>): Decision | undefined {
  const { current, record: stored } = args;
  const trigger = current.journey.trigger;
  if (trigger.type !== "schedule" || args.paused === true) return undefined;
  const last = stored?.lastOccurrence;
  if (last !== undefined && wakeUp.occurrence <= last) return undefined;
  if (trigger.segment !== undefined && !args.profile?.segments?.includes(trigger.segment)) return undefined;
  const record = stored ? copyRecord(stored) : newRecord(current.id, args.key);
  const ctx = contextFor(args, current, wakeUp.key);
  if (!enter(record, occurrenceEvent(wakeUp), ctx)) return undefined;
  record.lastOccurrence = wakeUp.occurrence;
  return decided(record, ctx);
}

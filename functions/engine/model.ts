import type { ShopEvent } from "../../events/catalog.ts";
import type { TraitStates } from "./traits/state.ts";
import type { TraitValues } from "./traits/values.ts";

/**
 * The engine's data: what a run remembers, what a profile holds, and the effects the engine asks the
 * platform to carry out. Everything here is plain JSON so any store can keep it as it is.
 */

/** The version of the stored shapes below; stored items carry it so later versions can read old ones. */
export const MODEL_VERSION = 1;

export type ConsentState = { subscribed: boolean; at: string };

/** What the platform knows of a user: the profile fields, consent, and the order facts journeys use. */
export interface Profile {
  userId: string;
  registeredAt?: string;
  locale?: string;
  timezone?: string;
  channel?: string;
  email?: string;
  phone?: string;
  attributes: Record<string, string | number | boolean>;
  /** Consent by channel; `*` is every marketing channel. The later decision by event time wins. */
  consent: Record<string, ConsentState>;
  orderCount: number;
  totalSpent: number;
  firstOrderAt?: string;
  lastOrderAt?: string;
  /**
   * Digests of the orders and refunds counted, by business key (functions/engine/profile-keys.ts): a
   * redelivery at any lateness counts nothing twice.
   */
  countedKeys?: string;
  /** The event time of each field's latest value (`locale`, `attributes.tier`...): an older update changes nothing. */
  fieldTimes?: Record<string, string>;
  /** Profiles written by earlier versions remembered the latest event ids; no longer written. */
  recentEventIds?: string[];
  /** What the computed traits keep (functions/engine/traits/state.ts). */
  traitStates?: TraitStates;
  /** The traits' values at the decision's moment, as the engine shows them (`profile.traits.<name>`); never stored. */
  traits?: TraitValues;
  /** The segments the user is in, as last reviewed, by id (functions/engine/segments/review.ts). */
  segments?: string[];
  /** The values of the traits a journey asks `trait.changed` for, as last reviewed: the next change is against them. */
  watchedTraits?: TraitValues;
  /** When the user's profile wake-up is armed: the watched traits' next change with time alone. */
  wakeAt?: string;
  /** WeChat subscribe message grants by WeChat template id (functions/engine/policies/grants.ts). */
  wechatGrants?: Record<string, WechatGrant>;
}

/** The one-time grants a user gave one WeChat subscribe message template, and what became of them. */
export interface WechatGrant {
  /** Grants left: each lets one message of the template go. */
  count: number;
  /** When WeChat last refused a send (errcode 43101) and the grants were cleared: older grants add nothing. */
  clearedAt?: string;
  /** The latest messages that took a grant (a retried decision does not take a second). */
  used?: string[];
}

export type IssuedCoupon = {
  couponId: string;
  code: string;
  amountOff: number;
  currency: string;
  freeShipping: boolean;
  minSpend?: number;
  expiresAt: string;
};

/** A run: one pass of one key (a user, a coupon, an order) through one journey version. */
export interface Run {
  runId: string;
  journeyId: string;
  version: number;
  key: string;
  userId: string;
  holdout: boolean;
  status: "active" | "ended";
  enteredAt: string;
  endedAt?: string;
  exitReason?: string;
  /** The step the run is on (waiting there) while active. */
  stepId?: string;
  /** Counts step visits; makes effect ids and timer tokens deterministic and attempt-independent. */
  seq: number;
  /** The pending wake-up: due time and the `seq` it was set at (an older token is stale). */
  wake?: { at: string; seq: number };
  /** The event that started the run; dropped when the run ends (see `endRun`), as nothing reads it then. */
  trigger?: ShopEvent;
  /** The last event that moved the run on (a wait-for-event arrival). */
  event?: ShopEvent;
  outputs: Record<string, unknown>;
  coupon?: IssuedCoupon;
  goal?: { until: string; convertedAt?: string };
}

/** What is kept per (journey, key): the latest run, the entry count and the inactivity clock. */
export interface RunRecord {
  journeyId: string;
  key: string;
  entries: number;
  lastEnteredAt?: string;
  run?: Run;
  /**
   * The inactivity clock: running since the last clock event, due at `dueAt`. `armedAt` is the due time
   * of its pending wake-up (absent: `dueAt`); a restart keeps an earlier one, which re-arms for `dueAt`
   * when it fires, so a run of orders costs no timer write each.
   */
  inactivity?: { since: string; dueAt: string; lastEvent: ShopEvent; armedAt?: string };
  /**
   * The time of the latest exit event seen while no run was active. Events may arrive out of order: a
   * trigger older than this (a coupon issued before its redemption arrived) must not start a run.
   */
  lastExitEventAt?: string;
  /**
   * The time of the event that started the latest run (event triggers): a trigger no later than it is that
   * event replayed, or older history, at any lateness, and starts no run.
   */
  lastTriggerAt?: string;
  /**
   * The latest campaign occurrence the key entered at (campaigns: `campaign` wake-ups): that occurrence's
   * wake-up, redelivered, or an earlier one, starts no run, whatever the re-entry rule.
   */
  lastOccurrence?: string;
  /**
   * The latest trigger that found the journey paused and would otherwise have started a run: shown by
   * `nudge why` as the journey skipping the user because it was paused.
   */
  skippedWhilePaused?: { at: string; journey: string; version: number; event: string };
  /** Ids of the latest events applied to this record, so a redelivered event changes nothing. */
  recentEventIds: string[];
  /**
   * The effects and events of the decision that wrote this record, saved with it (a transactional outbox in
   * one item): the save is the commit, and the outbox is handed on after it. Handed on is proven by a
   * proof written once per batch of inputs (HandOnProofStore, under `pending.proof`); whoever finds an
   * outbox not proven (the redelivered input, or the next input of the run) hands it on again. The next
   * save moves its entries to `journal`.
   */
  pending?: Outbox;
  /**
   * What this record's earlier decisions did (the run's journal, for `nudge why`): entries without their
   * payloads, oldest first, at most JOURNAL_LIMIT. Written with the record, so it costs no write of its own.
   */
  journal?: JournalEntry[];
}

/** A saved decision's effects and events: what the runtime hands on once the decision is saved. */
export interface Outbox {
  effects: JourneyEffect[];
  events: ShopEvent[];
  /** The key of the proof that says this outbox was handed on (the batch's: see HandOnProofStore). */
  proof?: string;
}

/** A timer that falls due: a run's wait, or an inactivity trigger. `seq`/`at` tell a stale one apart. */
export type WakeUp = (
  | { kind: "run"; journeyId: string; key: string; at: string; seq: number }
  | { kind: "inactivity"; journeyId: string; key: string; at: string }
  /** A user's profile: a watched trait changes with time alone (`journeyId` PROFILE_WAKE_UP, `key` the user). */
  | { kind: "profile"; journeyId: string; key: string; at: string }
  /**
   * A campaign's occurrence falls due (`key` CAMPAIGN_WAKE_UP): its audience is listed and each member given a
   * `campaign` wake-up at the occurrence in their own zone (functions/runtime/campaign-fan-out.ts).
   */
  | {
      kind: "occurrence";
      journeyId: string;
      key: string;
      at: string;
      occurrence: string;
      /** One part of the audience's listing (SegmentIndex.segmentParts), run apart; absent: the whole of it. */
      part?: number;
      /** Where that part's listing goes on (the previous page's `next`); absent: from its start. */
      after?: string;
      /** The detail of the event that set the occurrence (a campaign relative to an event): its entries carry it. */
      detail?: Record<string, unknown>;
    }
  /** A campaign's occurrence for one member (`key` the user): they enter, if they still may (engine/campaigns.ts). */
  | {
      kind: "campaign";
      journeyId: string;
      key: string;
      at: string;
      occurrence: string;
      detail?: Record<string, unknown>;
    }
  /**
   * A campaign's occurrence for the members of a page of its listing whose clocks show it at the same
   * instant (at most ENTRIES_PER_WAKE_UP; `key` CAMPAIGN_WAKE_UP and the first of them): each enters as
   * with a `campaign` wake-up of their own, one after the other. One timer for a hundred members, not one each.
   */
  | {
      kind: "entries";
      journeyId: string;
      key: string;
      at: string;
      occurrence: string;
      members: string[];
      detail?: Record<string, unknown>;
    }
) & {
  /** When it was held because its journey was paused (functions/runtime/control-cache.ts); absent: never held. */
  heldAt?: string;
};

/** The `journeyId` of profile wake-ups: never a journey's (journey ids are kebab-case). */
export const PROFILE_WAKE_UP = "@profile";

/** The `key` of a campaign's occurrence wake-ups: never a user's run key (user ids never start with "@"). */
export const CAMPAIGN_WAKE_UP = "@campaign";

/** Members an `entries` wake-up holds at most: its timer item stays near 2 KB, its entries a few seconds' work. */
export const ENTRIES_PER_WAKE_UP = 100;

/** What tells two wake-ups of one (journey, key) and time apart: the run's step visit, or the kind. */
export function wakeUpToken(wakeUp: WakeUp): string {
  return wakeUp.kind === "run" ? String(wakeUp.seq) : wakeUp.kind;
}

/** What moves the engine: an event from the bus, or a timer that fell due. */
export type EngineInput = { type: "event"; event: ShopEvent } | { type: "wake-up"; wakeUp: WakeUp };

/** An inbox message's placement, priority and expiry, as the send step resolved them for the run. */
export interface InboxPlacement {
  placement: string;
  priority: number;
  /** ISO-8601 instant after which the message no longer shows. */
  expiresAt: string;
  /** The coupon the message offers: it no longer shows once the coupon is redeemed. */
  couponId?: string;
}

type EffectBase = {
  /** Deterministic: the same run state and input always give the same id, so a retry repeats nothing. */
  id: string;
  at: string;
  journey: string;
  version: number;
  user: string;
  run: string;
};

export type JourneyEffect = EffectBase &
  (
    | { type: "journey.entered" }
    | { type: "holdout" }
    | { type: "journey.exited"; reason: string; event?: string }
    /**
     * A run of an earlier version moved onto this one by its migration map (the journey's `migrate`): from
     * the step it waited at, to the step it continues at (`exit`: it ended). Its `version` is the new one.
     */
    | { type: "journey.migrated"; from: { version: number; step: string }; to: string }
    | { type: "coupon.issued"; coupon: IssuedCoupon }
    | {
        type: "message.sent";
        channel: string;
        template: string;
        category: string;
        locale: string;
        /** The rendered title (push title, email subject), when the template has one. */
        title?: string;
        text: string;
        /**
         * A provider's template parameters, rendered (values by name), when the template has them for this
         * channel (journey `templateParams`: a template file's `sms` block, for Alibaba Cloud SMS).
         */
        params?: Record<string, string>;
        /** A service message that still needs consent (the send step's `consent`), for the channel's last check. */
        consent?: "required";
        /** Where and until when an inbox message shows (channel inbox). */
        inbox?: InboxPlacement;
      }
    | {
        type: "message.suppressed";
        channel: string;
        template: string;
        /** Why: `unsubscribed`, `capped`, `quiet-hours`, `expired`, `expired-while-deferred`, `run-exited`... */
        reason: string;
        /** The rule that stopped it (`consent`, `cap:<id>`, `quiet-hours`, `valid-until`, `exit-on:<type>`). */
        rule?: string;
      }
    | {
        type: "message.deferred";
        channel: string;
        template: string;
        /** When the run tries the message again (the run waits at its send step until then). */
        until: string;
        reason: "quiet-hours" | "capped";
        rule: string;
        /** Every rule that moved the message, in order, when there were several (the last is `rule`). */
        heldBy?: string[];
      }
    | {
        type: "coupon.withheld";
        amountOff: number;
        reason: "budget-exhausted";
        rule: string;
        /** With the journey's `hold` fallback: when the run tries the coupon again. */
        until?: string;
      }
    | { type: "event.emitted"; event: ShopEvent }
    | {
        type: "goal.converted";
        event: { id: string; "detail-type": string };
        /** The converting event's `detail.amount` (an order's value), when it has one. */
        value?: number;
        /** Present (true) when the run is in the holdout group: the report compares the groups' rates. */
        holdout?: true;
      }
    | { type: "profile.updated"; attributes: Record<string, string | number | boolean | null> }
  );

export type EffectType = JourneyEffect["type"];

/** An issued coupon as the coupon store keeps it. Expired is not stored: it is `expiresAt` in the past. */
/** A coupon redeemed: what the coupon store keeps, so that each redemption counts once. */
export interface CouponRedemption {
  couponId: string;
  userId: string;
  orderId: string;
  /** When the shop says it was redeemed (the event's `time`). */
  redeemedAt: string;
}

/** A message that went out to a user: what frequency caps count. */
export interface SentMessage {
  /**
   * The message effect's id: a decision retried after it reserved its send (a lost race on the run record)
   * recognises its own reservation rather than counting it against itself.
   */
  id?: string;
  /** ISO-8601 instant it was sent. */
  at: string;
  journeyId: string;
  channel: string;
  category: string;
  /**
   * A deferred message's place, at the time it was deferred to: the caps count it once that time has
   * come, so its wake-up sends it without writing the log again (functions/engine/policies/reserve.ts).
   */
  held?: true;
}

/** One journey statistics counter increment (or, read back, a total). */
export interface StatsCounter {
  journeyId: string;
  version: number;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /**
   * The UTC hour of the day, "00" to "23", for a journey that keeps its counters by hour as well
   * (`report.byHour`): its counters are then added twice, to the day's and to the hour's, apart.
   */
  hour?: string;
  name: string;
  amount: number;
}

/**
 * The user's journal: what each journey did for a user and what the policies held back, kept for
 * `nudge why`. An entry is a carried-out effect without its payload (a message's text, an emitted event's
 * detail, the values of profile attributes): the journal says what happened and why, not what was said.
 */
export type JournalEntry =
  | Exclude<JourneyEffect, { type: "message.sent" | "event.emitted" | "profile.updated" }>
  | Omit<Extract<JourneyEffect, { type: "message.sent" }>, "text" | "params">
  | (Omit<Extract<JourneyEffect, { type: "event.emitted" }>, "event"> & { detailType: string })
  | (Omit<Extract<JourneyEffect, { type: "profile.updated" }>, "attributes"> & { attributes: string[] });

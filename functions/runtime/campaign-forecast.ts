/**
 * A campaign occurrence's pre-flight forecast (`nudge campaign preview`): the occurrence decided for each
 * member of its segment by the engine itself, as the send would decide it, with nothing written. Each
 * member's own state is read (the profile, the send log the caps count, the run record re-entry reads);
 * the coupon budgets are read once and spent as the forecast goes, member by member in the order they
 * enter (their zones'), so that it says when a budget runs out. Its figures are what the send does when
 * nothing changes between.
 */
import { type CampaignOccurrence, memberEntryAt } from "../engine/campaigns.ts";
import { JourneyCatalog } from "../engine/catalog.ts";
import type { CompiledJourney } from "../engine/compile.ts";
import { decideWakeUp } from "../engine/decide.ts";
import type { JourneyEffect, WakeUp } from "../engine/model.ts";
import type { PolicyConfig } from "../engine/policies/config.ts";
import { budgetKey, type CouponCharge } from "../engine/policy-state.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import { formatInstant } from "../shared/time.ts";
import { audiencePage } from "./campaign-fan-out.ts";
import type {
  BudgetReadOptions,
  BudgetStore,
  CouponSettlement,
  CouponsTogether,
  RunStore,
  SegmentIndex,
  UserStore,
} from "./ports.ts";
import { PolicyReservations } from "./reservations.ts";

export interface CampaignForecast {
  journeyId: string;
  occurrence: string;
  /** The segment's members now (every user with a profile, for a campaign with no segment). */
  audience: number;
  /** Members whose clocks skip the occurrence's time (a spring-forward gap): no entry. */
  skippedByClock: number;
  entered: number;
  holdout: number;
  /** Members not entered: out of the segment or the audience, or barred by re-entry. */
  notEntered: number;
  /** Messages that go at once, by channel. */
  sent: Record<string, number>;
  /** Messages suppressed, by reason and channel (`no consent (push)`, ...). */
  suppressed: Record<string, number>;
  /** Messages deferred, by reason (`quiet-hours`, `capped`: at a frequency cap), and the latest time one goes. */
  deferred: Record<string, { count: number; latestUntil: string }>;
  coupons: { issued: number; value: number; withheld: number; runsOutAt?: string };
  /** Each budget day the coupons are charged to: the value spent before the send, and after it, of `perDay`. */
  budgets: { day: string; perDay: number; spentBefore: number; spentAfter: number }[];
  /** The first few messages, as rendered. */
  samples: { user: string; channel: string; at: string; text: string }[];
}

export interface ForecastRequest {
  store: SegmentIndex & Pick<UserStore, "getUser"> & Pick<RunStore, "getRecord"> & Pick<BudgetStore, "getCouponBudget">;
  journey: CompiledJourney;
  occurrence: CampaignOccurrence;
  config: PolicyConfig;
  traits?: TraitsSetting;
  /** How many rendered messages to keep (default 5). */
  samples?: number;
}

const SEGMENT_PAGE = 1000;

export async function forecastOccurrence(request: ForecastRequest): Promise<CampaignForecast> {
  const { store, journey, occurrence } = request;
  const trigger = journey.journey.trigger;
  const forecast: CampaignForecast = {
    ...{ journeyId: journey.id, occurrence: occurrence.occurrence, audience: 0, skippedByClock: 0 },
    ...{ entered: 0, holdout: 0, notEntered: 0, sent: {}, suppressed: {}, deferred: {} },
    ...{ coupons: { issued: 0, value: 0, withheld: 0 }, budgets: [], samples: [] },
  };
  if (trigger.type !== "schedule") return forecast;
  // Who enters when (their zones), then each in that order, as the send goes: the budgets run out in time order.
  const entries: { userId: string; at: number }[] = [];
  let after: string | undefined;
  do {
    const page = await audiencePage(store, trigger.segment, { limit: SEGMENT_PAGE, ...(after ? { after } : {}) });
    for (const { userId } of page.members) {
      forecast.audience++;
      const at = await entryAt(request, userId);
      if (at === undefined) forecast.skippedByClock++;
      else entries.push({ userId, at });
    }
    after = page.next;
  } while (after !== undefined);
  entries.sort((a, b) => a.at - b.at);
  // The send's own reservations (budgets read when the engine asks, charged, decided again when spent), over
  // budgets charged in memory.
  const budgets = new ForecastBudgets(store);
  const reservations = new PolicyReservations(budgets, new JourneyCatalog([journey.journey]), request.config);
  for (const entry of entries) await forecastMember(request, { ...entry, reservations, forecast });
  const perDay = journey.journey.policy.couponBudget?.perDay;
  if (perDay !== undefined)
    for (const [key, spentBefore] of budgets.before)
      forecast.budgets.push({
        day: key.slice(key.lastIndexOf("#") + 1),
        perDay,
        spentBefore,
        spentAfter: budgets.spent.get(key) ?? spentBefore,
      });
  return forecast;
}

/** The coupon budgets as a forecast spends them: each day read from the store once, charged in memory. */
class ForecastBudgets implements BudgetStore {
  /** Each budget day's value spent as read, and as the forecast has spent it since. */
  readonly before = new Map<string, number>();
  readonly spent = new Map<string, number>();

  constructor(private readonly store: Pick<BudgetStore, "getCouponBudget">) {}

  async getCouponBudget(journeyId: string, day: string, options?: BudgetReadOptions) {
    return { spent: await this.spentOn(journeyId, day, options?.shards), unsettled: {} };
  }

  /**
   * The day as one pool, its shards' `spent` summed: a sharded day withholds a coupon only when no shard has
   * room for it, so the forecast can be off by less than one coupon a shard (room left split between shards).
   */
  async chargeCouponBudget(charge: CouponCharge) {
    const spent = await this.spentOn(charge.journeyId, charge.day, charge.shards);
    if (spent + charge.amount > charge.limit) return undefined;
    this.spent.set(budgetKey(charge.journeyId, charge.day), spent + charge.amount);
    return { shard: 0 };
  }

  /** Together: all of them from the day's pool, or none (then one by one, as the platform does). */
  async chargeCouponsTogether({ charges }: CouponsTogether) {
    const first = charges[0];
    if (first === undefined) return true;
    const spent = await this.spentOn(first.journeyId, first.day, first.shards);
    const sum = charges.reduce((total, charge) => total + charge.amount, 0);
    if (spent + sum > first.limit) return false;
    this.spent.set(budgetKey(first.journeyId, first.day), spent + sum);
    return true;
  }

  /** Settled charges change nothing; given-back ones return their value to the day's pool. */
  async settleCouponCharges({ journeyId, day, released }: CouponSettlement) {
    const key = budgetKey(journeyId, day);
    const spent = this.spent.get(key);
    if (spent === undefined || released.length === 0) return;
    this.spent.set(key, spent - released.reduce((sum, charge) => sum + charge.amount, 0));
  }

  private async spentOn(journeyId: string, day: string, shards = 1): Promise<number> {
    const key = budgetKey(journeyId, day);
    const known = this.spent.get(key);
    if (known !== undefined) return known;
    const { spent } = await this.store.getCouponBudget(journeyId, day, { shards });
    this.before.set(key, spent);
    this.spent.set(key, spent);
    return spent;
  }
}

/** When a member's clocks show the occurrence; undefined in a spring-forward gap. */
async function entryAt(request: ForecastRequest, userId: string): Promise<number | undefined> {
  const trigger = request.journey.journey.trigger;
  const fixed = trigger.type === "schedule" && trigger.timezone !== "user" ? trigger.timezone : undefined;
  const zone = fixed ?? (await request.store.getUser(userId))?.value.profile?.timezone;
  return memberEntryAt(request.occurrence.occurrence, zone ?? request.config.defaultTimezone);
}

/** One member's entry, decided as the send decides it (budgets read when the engine asks for them). */
async function forecastMember(
  request: ForecastRequest,
  member: { userId: string; at: number; reservations: PolicyReservations; forecast: CampaignForecast },
): Promise<void> {
  const { store, journey, occurrence, traits } = request;
  const { userId, at, reservations, forecast } = member;
  const user = (await store.getUser(userId))?.value;
  const wakeUp: WakeUp = {
    kind: "campaign",
    journeyId: journey.id,
    key: userId,
    at: formatInstant(at),
    occurrence: occurrence.occurrence,
  };
  const record = (await store.getRecord(journey.id, userId))?.value;
  const decided = await reservations.decide({
    decide: (policy) =>
      decideWakeUp({ current: journey, record, key: userId, profile: user?.profile, now: at, policy, traits, wakeUp }),
    sends: user?.sends ?? [],
    consistent: false,
  });
  if (decided === undefined) {
    forecast.notEntered++;
    return;
  }
  count(forecast, decided.decision.effects, request.samples ?? 5);
}

function count(forecast: CampaignForecast, effects: readonly JourneyEffect[], samples: number): void {
  const add = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  if (!effects.some((e) => e.type === "journey.entered" || e.type === "holdout")) forecast.notEntered++;
  for (const effect of effects) {
    switch (effect.type) {
      case "journey.entered":
        forecast.entered++;
        break;
      case "holdout":
        forecast.holdout++;
        break;
      case "message.sent":
        add(forecast.sent, effect.channel);
        if (forecast.samples.length < samples)
          forecast.samples.push({ user: effect.user, channel: effect.channel, at: effect.at, text: effect.text });
        break;
      case "message.suppressed":
        add(forecast.suppressed, `${effect.reason} (${effect.channel})`);
        break;
      case "message.deferred": {
        const deferred = forecast.deferred[effect.reason] ?? { count: 0, latestUntil: effect.until };
        deferred.count++;
        if (effect.until > deferred.latestUntil) deferred.latestUntil = effect.until;
        forecast.deferred[effect.reason] = deferred;
        break;
      }
      case "coupon.issued":
        forecast.coupons.issued++;
        forecast.coupons.value += effect.coupon.amountOff ?? 0;
        break;
      case "coupon.withheld":
        forecast.coupons.withheld++;
        forecast.coupons.runsOutAt ??= effect.at;
        break;
      default:
        break;
    }
  }
}

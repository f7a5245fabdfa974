/**
 * The pressure test's traffic: a normal day of the synthetic shop (functions/simulator/synthetic/), its events
 * in the order the shop delivers them, re-timed to the moment each is published.
 */
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { ShopEvent } from "../events/catalog.ts";
import { DAY_MS } from "../functions/shared/time.ts";
import { generateShop } from "../functions/simulator/synthetic/index.ts";

const DAY = DAY_MS;
/** The shop's period: the last of its days is the normal day (no promotion window; users of every age). */
const MIX_START = Date.parse("2026-10-01T00:00:00Z");
const MIX_DAYS = 41;
/** At least this many events on the last day per user of the shop (measured: about 0.06); sizes the shop. */
const EVENTS_PER_USER_ON_THE_DAY = 0.05;
/** The journey whose message a registration sends at once, and the only one the bench waits for. */
export const WELCOME_JOURNEY = "new-user-coupon";

/** A registration's welcome: the journey's push, with its coupon or without; not the coupon's pop-up (the inbox channel). */
export function isWelcome(line: { journey: string; channel: string }): boolean {
  return line.journey === WELCOME_JOURNEY && line.channel !== "inbox";
}

/** A normal day's events, in delivery order. */
export interface DayMix {
  day: string;
  events: ShopEvent[];
  byType: Record<string, number>;
}

/**
 * The first `count` valid events of the shop's normal day (the broken copies the shop adds on purpose left out:
 * the bench measures throughput, not refusals). The shop is sized to have them, and grown if it falls short.
 */
export function normalDayMix(options: { count: number; seed: number }): DayMix {
  const dayStart = MIX_START + (MIX_DAYS - 1) * DAY;
  let users = Math.ceil(options.count / EVENTS_PER_USER_ON_THE_DAY);
  for (;;) {
    const events: ShopEvent[] = [];
    const shop = generateShop({ users, days: MIX_DAYS, start: new Date(MIX_START).toISOString(), seed: options.seed });
    for (const item of shop) {
      const time = Date.parse(item.event.time);
      if (item.flaw === undefined && time >= dayStart) events.push(item.event);
      if (events.length === options.count) break;
    }
    if (events.length === options.count) {
      const byType: Record<string, number> = {};
      for (const event of events) byType[event["detail-type"]] = (byType[event["detail-type"]] ?? 0) + 1;
      return { day: new Date(dayStart).toISOString().slice(0, 10), events, byType };
    }
    users *= 2;
  }
}

/**
 * The event as a PutEvents entry published at `now`: its time is now, and a coupon's expiry moves with it, so
 * the coupon has as long to live as it had in the shop.
 */
export function entryAt(event: ShopEvent, now: number): PutEventsRequestEntry {
  const shift = now - Date.parse(event.time);
  const detail = { ...event.detail };
  if (event["detail-type"] === "coupon.issued" && typeof detail.expiresAt === "string") {
    detail.expiresAt = new Date(Date.parse(detail.expiresAt) + shift).toISOString();
  }
  return {
    Source: event.source,
    DetailType: event["detail-type"],
    Detail: JSON.stringify(detail),
    Time: new Date(now),
  };
}

/**
 * The users whose welcome must reach the outbox: registered in the events, and not unsubscribing in them (an
 * unsubscribe handled before the registration's decision would rightly hold the welcome back).
 */
export function welcomedUsers(events: readonly ShopEvent[]): Set<string> {
  const registered = new Set<string>();
  const unsubscribed = new Set<string>();
  for (const event of events) {
    const userId = event.detail.userId;
    if (typeof userId !== "string") continue;
    if (event["detail-type"] === "user.registered") registered.add(userId);
    if (event["detail-type"] === "user.unsubscribed") unsubscribed.add(userId);
  }
  return new Set([...registered].filter((userId) => !unsubscribed.has(userId)));
}

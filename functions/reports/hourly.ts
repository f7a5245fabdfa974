/**
 * A journey's counters hour by hour (`nudge report --by hour`): what the operations team watches through a
 * big sale's day. Only a journey that keeps hours (`report.byHour` in its file) has hour counters; they start
 * when it was turned on. Pure: the command reads the counters and prints or draws this.
 */
import type { StatsCounter } from "../engine/model.ts";
import { localDateTime } from "../shared/local-time.ts";

export interface HourPoint {
  /** The hour's first instant, UTC (`2026-11-11T02:00:00Z`). */
  hour: string;
  entered: number;
  holdout: number;
  sent: number;
  couponsIssued: number;
  couponsRedeemed: number;
  converted: number;
  holdoutConverted: number;
}

/** Which field of an hour a counter adds to, by the counter's name. */
const FIELDS: Readonly<Record<string, keyof Omit<HourPoint, "hour">>> = {
  entered: "entered",
  holdout: "holdout",
  "message.sent": "sent",
  "coupon.issued": "couponsIssued",
  "coupon.redeemed": "couponsRedeemed",
  "goal.converted": "converted",
  "goal.converted.holdout": "holdoutConverted",
};

/** The hours that counted anything, in time order; day counters (no `hour`) are not read. */
export function hoursOf(counters: readonly StatsCounter[]): HourPoint[] {
  const hours = new Map<string, HourPoint>();
  for (const counter of counters) {
    const field = FIELDS[counter.name];
    if (counter.hour === undefined || field === undefined) continue;
    const hour = `${counter.day}T${counter.hour}:00:00Z`;
    let point = hours.get(hour);
    if (point === undefined) {
      point = {
        hour,
        entered: 0,
        holdout: 0,
        sent: 0,
        couponsIssued: 0,
        couponsRedeemed: 0,
        converted: 0,
        holdoutConverted: 0,
      };
      hours.set(hour, point);
    }
    point[field] += counter.amount;
  }
  return [...hours.values()].sort((a, b) => (a.hour < b.hour ? -1 : 1));
}

/** The columns of an hour's row after the hour, as the text and the page title them. */
export const HOUR_COLUMNS: readonly (readonly [title: string, field: keyof Omit<HourPoint, "hour">])[] = [
  ["entered", "entered"],
  ["holdout", "holdout"],
  ["sent", "sent"],
  ["coupons", "couponsIssued"],
  ["redeemed", "couponsRedeemed"],
  ["converted", "converted"],
  ["holdout conv.", "holdoutConverted"],
];

/** An hour's row: its start on the zone's clock (`2026-11-11 10:00`) and its counts in HOUR_COLUMNS' order. */
export function hourRow(point: HourPoint, zone: string): { hour: string; counts: number[] } {
  return {
    hour: localDateTime(Date.parse(point.hour), zone).slice(0, 16),
    counts: HOUR_COLUMNS.map(([, field]) => point[field]),
  };
}

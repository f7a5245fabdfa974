export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export { DAY_MS as DAY } from "../../shared/time.ts";

/** China Standard Time: the shop's own coupons expire at the end of a day in Shanghai. */
const SHOP_OFFSET = 8 * HOUR;

/** EventBridge's `time`: UTC, whole seconds. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** The same instant written in the shop's own zone: "2026-12-24T23:59:59+08:00". */
export function isoShanghai(ms: number): string {
  return `${new Date(ms + SHOP_OFFSET).toISOString().slice(0, 19)}+08:00`;
}

/** The last second of the Shanghai day `days` days after the instant. */
export function endOfShanghaiDay(ms: number, days: number): number {
  const local = new Date(ms + SHOP_OFFSET);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days, 23, 59, 59) - SHOP_OFFSET;
}

/** "20261120", the date part of an order number (Shanghai date). */
export function orderDate(ms: number): string {
  return new Date(ms + SHOP_OFFSET).toISOString().slice(0, 10).replaceAll("-", "");
}

/**
 * The coupon-budget tests' day: noon in Shanghai (the policies' zone) on 2026-11-25, its budget day, and a budget
 * of 1,000 a day that skips the coupon when spent.
 */
export const BUDGET_NOON = "2026-11-25T04:00:00Z";
export const BUDGET_DAY = "2026-11-25";
export const DAILY_BUDGET = { couponBudget: { perDay: 1000, whenExhausted: "skip-coupon" as const } };

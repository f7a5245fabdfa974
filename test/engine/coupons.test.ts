import { describe, expect, it } from "vitest";
import { applyCouponEvent, isExpired } from "../../functions/engine/coupons.ts";
import { shopEvent } from "./fixtures.ts";

const issued = shopEvent("coupon.issued", "2026-11-01T00:00:00Z", {
  userId: "u1",
  couponId: "c1",
  code: "NEW2345",
  amountOff: 20,
  expiresAt: "2026-11-08T00:00:00Z",
});
const redeemed = shopEvent("coupon.redeemed", "2026-11-03T00:00:00Z", { userId: "u1", couponId: "c1", orderId: "o1" });

describe("the coupon projection", () => {
  it("records an issue, then its redemption, each once", () => {
    // Act
    const afterIssue = applyCouponEvent(undefined, issued);
    const afterRedeem = applyCouponEvent(afterIssue, redeemed);
    // Assess
    expect(afterRedeem).toEqual({
      couponId: "c1",
      userId: "u1",
      code: "NEW2345",
      amountOff: 20,
      expiresAt: "2026-11-08T00:00:00Z",
      issuedAt: "2026-11-01T00:00:00Z",
      status: "redeemed",
      redeemedAt: "2026-11-03T00:00:00Z",
      orderId: "o1",
    });
    expect(applyCouponEvent(afterRedeem, redeemed)).toBeUndefined();
    expect(applyCouponEvent(afterRedeem, issued)).toBeUndefined();
  });

  it("keeps a redemption that arrived before the issue event, and fills in the details later", () => {
    // Act
    const afterRedeem = applyCouponEvent(undefined, redeemed);
    const afterIssue = applyCouponEvent(afterRedeem, issued);
    // Assess
    expect(afterIssue).toMatchObject({ status: "redeemed", code: "NEW2345", expiresAt: "2026-11-08T00:00:00Z" });
  });

  it("tells expired coupons apart: past expiry and not redeemed", () => {
    // Prepare
    const coupon = applyCouponEvent(undefined, issued);
    if (coupon === undefined) throw new Error("expected a coupon");
    // Act / Assess
    expect(isExpired(coupon, Date.parse("2026-11-07T23:59:59Z"))).toBe(false);
    expect(isExpired(coupon, Date.parse("2026-11-08T00:00:00Z"))).toBe(true);
    expect(isExpired({ ...coupon, status: "redeemed" }, Date.parse("2026-12-01T00:00:00Z"))).toBe(false);
  });
});

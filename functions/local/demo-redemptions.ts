import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyEffect } from "../engine/model.ts";
import { currentVersions } from "../journey/load.ts";
import type { Journey } from "../language/schema.ts";
import type { HandOnProofStore, RunStore, UserRunIndex } from "../runtime/ports.ts";
import { readUserJournal } from "../runtime/user-journal.ts";
import { unitInterval } from "../shared/hash.ts";
import { parseInstant } from "../shared/time.ts";

/** Of the orders placed while the user holds an unexpired coupon a journey issued, the share that use it. */
export const REDEEMING_SHARE = 0.6;

type IssuedEntry = Extract<JourneyEffect, { type: "coupon.issued" }>;

/**
 * The shop's side of a coupon the journeys issued: at checkout the shop knows the user's coupons (it
 * received `coupon.issued`), and 60% of the orders placed while one is valid use it. The demo reads them
 * from the user's journal, as `nudge why` does, and answers the order with a `coupon.redeemed` event, so the
 * report shows redemptions, their value and the cost per incremental conversion.
 */
export class DemoRedemptions {
  private readonly redeemed = new Set<string>();
  private readonly journeys: { id: string; key: string }[];

  constructor(
    private readonly store: RunStore & HandOnProofStore & UserRunIndex,
    journeys: readonly Journey[],
  ) {
    this.journeys = currentVersions(journeys).map((journey) => ({ id: journey.id, key: journey.key }));
  }

  /** The redemption an order brings, or undefined (no coupon held, or this order pays without it). */
  async redemptionOf(order: ShopEvent): Promise<ShopEvent | undefined> {
    const { userId, orderId } = order.detail;
    if (order["detail-type"] !== "order.placed" || typeof userId !== "string" || typeof orderId !== "string")
      return undefined;
    if (unitInterval(`redeem/${orderId}`) >= REDEEMING_SHARE) return undefined;
    const coupon = await this.heldCoupon(userId, parseInstant(order.time) ?? 0);
    if (coupon === undefined) return undefined;
    this.redeemed.add(coupon.couponId);
    return {
      id: `redeem-${orderId}`,
      source: order.source,
      "detail-type": "coupon.redeemed",
      time: order.time,
      detail: { userId, couponId: coupon.couponId, orderId },
    };
  }

  /** The user's oldest coupon issued by a journey, still valid at `at` and not redeemed by the demo. */
  private async heldCoupon(userId: string, at: number) {
    const { entries } = await readUserJournal(this.store, userId, this.journeys);
    const issued = entries.filter((entry): entry is IssuedEntry => entry.type === "coupon.issued");
    return issued
      .map((entry) => entry.coupon)
      .find((coupon) => !this.redeemed.has(coupon.couponId) && at < (parseInstant(coupon.expiresAt) ?? 0));
  }
}

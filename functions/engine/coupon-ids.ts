import { hash53 } from "../shared/hash.ts";

/** The journey version and step that issued one of Nudge's coupons. */
export interface CouponIssuer {
  journeyId: string;
  version: number;
  stepId: string;
}

const PREFIX = "cpn";

/**
 * Nudge's coupon ids name their issuer, `cpn.<journey>.<version>.<step>.<hash of the run and step>`, so a
 * redemption counts for its journey from the id alone and issuing a coupon writes no coupon record.
 * Journey and step ids are lowercase letters, digits and hyphens (functions/language/schema.ts): the dots
 * separate the parts unambiguously.
 */
export function nudgeCouponId(issuer: CouponIssuer, seed: string): string {
  return `${PREFIX}.${issuer.journeyId}.${issuer.version}.${issuer.stepId}.${hash53(seed).toString(36)}`;
}

/** The issuer a coupon id names; undefined for the shop's own coupons (and any id Nudge did not make). */
export function couponIssuerOf(couponId: string): CouponIssuer | undefined {
  const parts = couponId.split(".");
  if (parts.length !== 5 || parts[0] !== PREFIX) return undefined;
  const [, journeyId = "", versionText = "", stepId = ""] = parts;
  const version = Number(versionText);
  if (journeyId === "" || stepId === "" || !Number.isSafeInteger(version) || version < 1) return undefined;
  return { journeyId, version, stepId };
}

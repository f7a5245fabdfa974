/**
 * The consent events every platform routes to the ingest function whatever the journeys say: a
 * `user.unsubscribed` (from the unsubscribe endpoint, or the shop) or `user.subscribed` must reach the
 * user's profile, where sends check consent, even when no journey triggers, exits or waits on it. The
 * CDK app makes it one more rule on the bus (lib/journey-rules.ts); the local platform matches it itself.
 */
export const CONSENT_RULE = {
  id: "consent-events",
  pattern: { "detail-type": ["user.unsubscribed", "user.subscribed"] },
  uses: ["consent: every user's profile"],
};

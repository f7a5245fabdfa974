/**
 * Where an inbox message shows: `<kind>:<place>`, such as `popup:order-page` or `card:home`. Its own module,
 * so that the functions check a placement without the journey schema in their bundles.
 */
export const PLACEMENT = /^[a-z][a-z0-9-]{0,30}:[a-z0-9][a-z0-9-]{0,62}$/;

/** The channel whose messages wait on the shop's site for the user (docs/channels/inbox.md). */
export const INBOX_CHANNEL = "inbox";

/** Until when an inbox message shows, by default, when the step says neither `expiresAt` nor `expiresAfter`. */
export const DEFAULT_INBOX_EXPIRY = "P7D";

/**
 * Where an inbox message shows: `<kind>:<place>`, such as `popup:order-page` or `card:home`. Its own module,
 * so that the inbox API checks a placement without the journey schema in its bundle.
 */
export const PLACEMENT = /^[a-z][a-z0-9-]{0,30}:[a-z0-9][a-z0-9-]{0,62}$/;

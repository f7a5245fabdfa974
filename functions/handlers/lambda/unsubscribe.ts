import { createUnsubscribeHandler, unsubscribeDependencies } from "../unsubscribe.ts";

/** The unsubscribe function's entry (lib/channels.ts): adapters built once per instance, at init. */
export const handler = createUnsubscribeHandler(unsubscribeDependencies(process.env));

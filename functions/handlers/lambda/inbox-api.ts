import { createInboxApiHandler, inboxApiDependencies } from "../inbox-api.ts";

/** The inbox API function's entry (lib/inbox.ts): adapters built once per instance, at init. */
export const handler = createInboxApiHandler(inboxApiDependencies(process.env));

import { createDeliverHandler } from "../deliver.ts";
import { inboxDeliverDependencies } from "../deliver-inbox.ts";

/** The inbox deliver function's entry (lib/channels.ts): adapters built once per instance, at init. */
export const handler = createDeliverHandler(inboxDeliverDependencies(process.env));

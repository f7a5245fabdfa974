import { createDeliverHandler } from "../deliver.ts";
import { emailDeliverDependencies } from "../deliver-email.ts";

/** The email deliver function's entry (lib/channels.ts): adapters built once per instance, at init. */
export const handler = createDeliverHandler(emailDeliverDependencies(process.env));

import { createDeliverHandler } from "../deliver.ts";
import { smsDeliverDependencies } from "../deliver-sms.ts";

/** The SMS deliver function's entry (lib/channels.ts, provider alibaba-sms): adapters built once per instance, at init. */
export const handler = createDeliverHandler(smsDeliverDependencies(process.env));

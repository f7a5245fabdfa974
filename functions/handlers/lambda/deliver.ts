import { createDeliverHandler, deliverDependencies } from "../deliver.ts";

/** The deliver function's entry (lib/nudge-stack.ts): adapters built once per instance, at init. */
export const handler = createDeliverHandler(deliverDependencies(process.env));

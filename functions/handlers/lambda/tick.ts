import { createTickHandler, tickDependencies } from "../tick.ts";

/** The tick function's entry (lib/nudge-stack.ts): adapters built once per instance, at init. */
export const handler = createTickHandler(tickDependencies(process.env));

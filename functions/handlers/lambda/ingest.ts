import { createIngestHandler, ingestDependencies } from "../ingest.ts";

/** The ingest function's entry (lib/nudge-stack.ts): adapters built once per instance, at init. */
export const handler = createIngestHandler(ingestDependencies(process.env));

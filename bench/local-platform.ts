/**
 * What the benchmarks of the local platform share (`--only local`, `--only pressure`): a fresh platform in a
 * temporary folder on the real clock, listening on a free loopback port, with the AWS SDK's EventBridge client
 * pointed at its endpoint; publishing through it; percentiles of latencies.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import type { PolicyConfig } from "../functions/engine/policies/config.ts";
import { DEFAULT_POLICY_CONFIG } from "../functions/engine/policy-state.ts";
import type { Journey } from "../functions/language/schema.ts";
import type { OutboxLine } from "../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../functions/local/platform.ts";

export interface BenchPlatform {
  platform: LocalPlatform;
  client: EventBridgeClient;
  /** Stops the platform and removes its folder. */
  close(): Promise<void>;
}

/** The p-th percentile (nearest rank) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * The platform's policies (the defaults when absent) without quiet hours: they would hold every welcome at night
 * in Shanghai, and a benchmark on the real clock measures the platform, at any hour.
 */
export function atAnyHour(policies: PolicyConfig = DEFAULT_POLICY_CONFIG): PolicyConfig {
  return { ...policies, quietHours: null };
}

/** A fresh platform (`npm start`'s) in a temporary folder named after `name`, on the real clock. */
export async function startBenchPlatform(options: {
  name: string;
  journeys: Journey[];
  /** The platform's messaging policies; the defaults when absent. */
  policies?: PolicyConfig;
  onMessage: (line: OutboxLine) => void;
}): Promise<BenchPlatform> {
  const dir = await mkdtemp(join(tmpdir(), `nudge-bench-${options.name}-`));
  let platform: LocalPlatform;
  try {
    platform = await startLocalPlatform({
      dir,
      journeys: options.journeys,
      ...(options.policies === undefined ? {} : { policies: options.policies }),
      port: 0,
      clock: Date.now,
      onMessage: options.onMessage,
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const close = async () => {
    client.destroy();
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { platform, client, close };
}

/** One PutEvents request; the result of each entry, in order (an `ErrorCode` on those refused). */
export async function putEntries(
  client: EventBridgeClient,
  entries: PutEventsRequestEntry[],
): Promise<PutEventsResultEntry[]> {
  const output = await client.send(new PutEventsCommand({ Entries: entries }));
  return output.Entries ?? [];
}

import type { StatsCounter } from "../../engine/model.ts";
import { StoreError } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Journey statistics as sharded counters: pk `STATS#<journey>#<day>#<shard>`, sk `v<version>#<name>`,
 * one UpdateItem `ADD amount` an increment into a shard picked at random, so a promotion peak spreads
 * over `shards` partitions. Reading sums the shards of each day.
 */
export async function addStats(
  table: TableClient,
  counters: readonly StatsCounter[],
  shards: number,
  random: () => number,
): Promise<void> {
  await Promise.all(
    counters.map((counter) =>
      table.update("addStats", {
        Key: {
          pk: keys.statsShard(counter.journeyId, counter.day, Math.floor(random() * shards) % shards),
          sk: keys.statsCounter(counter.version, counter.name),
        },
        UpdateExpression: "ADD #amount :amount",
        ExpressionAttributeNames: { "#amount": "amount" },
        ExpressionAttributeValues: { ":amount": counter.amount },
      }),
    ),
  );
}

/** The UTC days from `fromDay` to `toDay`, inclusive (YYYY-MM-DD). */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const from = Date.parse(`${fromDay}T00:00:00Z`);
  const to = Date.parse(`${toDay}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new StoreError(`not a day range: ${fromDay}..${toDay}`);
  const days: string[] = [];
  for (let day = from; day <= to; day += 86_400_000) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

export async function readStats(
  table: TableClient,
  journeyId: string,
  fromDay: string,
  toDay: string,
  shards: number,
): Promise<StatsCounter[]> {
  const totals = new Map<string, StatsCounter>();
  for (const day of daysBetween(fromDay, toDay)) {
    await Promise.all(
      Array.from({ length: shards }, async (_, shard) => {
        let start: Record<string, unknown> | undefined;
        do {
          const output = await table.query("readStats", {
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": keys.statsShard(journeyId, day, shard) },
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          });
          for (const item of output.Items ?? []) {
            const sk = String(item.sk);
            const split = sk.indexOf("#");
            const [version, name] = [Number(sk.slice(1, split)), sk.slice(split + 1)];
            const id = `${day}|${version}|${name}`;
            const total = totals.get(id);
            if (total) total.amount += Number(item.amount);
            else totals.set(id, { journeyId, version, day, name, amount: Number(item.amount) });
          }
          start = output.LastEvaluatedKey;
        } while (start !== undefined);
      }),
    );
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...totals.values()].sort((a, b) => order(a.day, b.day) || a.version - b.version || order(a.name, b.name));
}

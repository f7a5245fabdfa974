import type { StatsCounter } from "../../engine/model.ts";
import { DAY_MS, utcDay } from "../../shared/time.ts";
import { StoreError } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Journey statistics as sharded counters: pk `STATS#<journey>#<day>#<shard>`, sk `v<version>`, one
 * number attribute per counter name. A call writes each (journey, version, day) it has counters for
 * with one UpdateItem (`ADD a :a, b :b`) into a shard picked at random, so a promotion peak spreads over
 * `shards` partitions and a runtime that adds up a batch's counters first pays one write per journey and
 * day, not one per counter. Reading sums the shards of each day.
 */
export async function addStats(
  table: TableClient,
  counters: readonly StatsCounter[],
  shards: number,
  random: () => number,
): Promise<void> {
  const items = new Map<string, { journeyId: string; version: number; day: string; amounts: Map<string, number> }>();
  for (const counter of counters) {
    const id = `${counter.journeyId}|${counter.version}|${counter.day}`;
    let item = items.get(id);
    if (item === undefined) {
      item = { journeyId: counter.journeyId, version: counter.version, day: counter.day, amounts: new Map() };
      items.set(id, item);
    }
    item.amounts.set(counter.name, (item.amounts.get(counter.name) ?? 0) + counter.amount);
  }
  await Promise.all(
    [...items.values()].map(({ journeyId, version, day, amounts }) => {
      const names: Record<string, string> = {};
      const values: Record<string, number> = {};
      const adds = [...amounts].map(([name, amount], index) => {
        names[`#n${index}`] = name;
        values[`:n${index}`] = amount;
        return `#n${index} :n${index}`;
      });
      return table.update("addStats", {
        Key: {
          pk: keys.statsShard(journeyId, day, Math.floor(random() * shards) % shards),
          sk: keys.statsVersion(version),
        },
        UpdateExpression: `ADD ${adds.join(", ")}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    }),
  );
}

/** The UTC days from `fromDay` to `toDay`, inclusive (YYYY-MM-DD). */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const from = Date.parse(`${fromDay}T00:00:00Z`);
  const to = Date.parse(`${toDay}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new StoreError(`not a day range: ${fromDay}..${toDay}`);
  const days: string[] = [];
  for (let day = from; day <= to; day += DAY_MS) days.push(utcDay(day));
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
            const version = Number(String(item.sk).slice(1));
            for (const [name, amount] of Object.entries(item)) {
              if (name === "pk" || name === "sk" || name === "ttl" || typeof amount !== "number") continue;
              const id = `${day}|${version}|${name}`;
              const total = totals.get(id);
              if (total) total.amount += amount;
              else totals.set(id, { journeyId, version, day, name, amount });
            }
          }
          start = output.LastEvaluatedKey;
        } while (start !== undefined);
      }),
    );
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...totals.values()].sort((a, b) => order(a.day, b.day) || a.version - b.version || order(a.name, b.name));
}

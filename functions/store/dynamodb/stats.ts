import type { StatsCounter } from "../../engine/model.ts";
import { DAY_MS, utcDay } from "../../shared/time.ts";
import { StoreError } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Journey statistics as sharded counters: pk `STATS#<journey>#<day>#<shard>`, sk `v<version>` (and
 * `v<version>#h<HH>` for an hour's, of a journey that keeps hours), one number attribute per counter name.
 * A call writes each (journey, version, day, hour) it has counters for with one UpdateItem (`ADD a :a, b :b`)
 * into a shard picked at random, so a promotion peak spreads over `shards` partitions and a runtime that adds
 * up a batch's counters first pays one write per journey and day (and hour), not one per counter. Reading
 * sums the shards of each day.
 */
export async function addStats(
  table: TableClient,
  counters: readonly StatsCounter[],
  shards: number,
  random: () => number,
): Promise<void> {
  type Item = { journeyId: string; version: number; day: string; hour?: string; amounts: Map<string, number> };
  const items = new Map<string, Item>();
  for (const counter of counters) {
    const { journeyId, version, day, hour } = counter;
    const id = `${journeyId}|${version}|${day}|${hour ?? ""}`;
    let item = items.get(id);
    if (item === undefined) {
      item = { journeyId, version, day, ...(hour === undefined ? {} : { hour }), amounts: new Map() };
      items.set(id, item);
    }
    item.amounts.set(counter.name, (item.amounts.get(counter.name) ?? 0) + counter.amount);
  }
  await Promise.all(
    [...items.values()].map(({ journeyId, version, day, hour, amounts }) => {
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
          sk: keys.statsVersion(version, hour),
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

/** What readStats reads: the days' counters, or the hours'. */
export interface StatsRange {
  journeyId: string;
  fromDay: string;
  toDay: string;
  hours: boolean;
}

export async function readStats(table: TableClient, range: StatsRange, shards: number): Promise<StatsCounter[]> {
  const { journeyId, fromDay, toDay, hours } = range;
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
            const [versionPart, hourPart] = String(item.sk).split("#");
            if ((hourPart !== undefined) !== hours) continue;
            const version = Number(versionPart?.slice(1));
            const hour = hourPart?.slice(1);
            for (const [name, amount] of Object.entries(item)) {
              if (name === "pk" || name === "sk" || name === "ttl" || typeof amount !== "number") continue;
              const id = `${day}|${hour ?? ""}|${version}|${name}`;
              const total = totals.get(id);
              if (total) total.amount += amount;
              else totals.set(id, { journeyId, version, day, ...(hour === undefined ? {} : { hour }), name, amount });
            }
          }
          start = output.LastEvaluatedKey;
        } while (start !== undefined);
      }),
    );
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...totals.values()].sort(
    (a, b) =>
      order(a.day, b.day) || order(a.hour ?? "", b.hour ?? "") || a.version - b.version || order(a.name, b.name),
  );
}

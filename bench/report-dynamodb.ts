import type { TraitsFile } from "../functions/engine/traits/config.ts";
import type { Journey } from "../functions/language/schema.ts";
import { costPerMillionSteps, type StepCost } from "./cost-model.ts";
import {
  type CapacityRun,
  type CouponStepCost,
  capacityRunsOf,
  couponStepCost,
  runCapacity,
  shopLines,
  traitsCost,
} from "./dynamodb.ts";

/** How the report prints numbers and target marks (bench/run.ts). */
export interface Printing {
  fmt: (n: number) => string;
  mark: (ok: boolean) => string;
}

/**
 * Part 3 (`--only dynamodb`): DynamoDB consumed capacity per step, each seed journey alone, then all,
 * each on a fresh dynalite, then the writes behind one coupon. Prints the report; returns its figures.
 */
export async function dynamoDbPart(
  journeys: readonly Journey[],
  shop: {
    dynamoUsers: number;
    days: number;
    start: string;
    seed: number;
    until: number;
    traits?: TraitsFile | undefined;
  },
  { fmt, mark }: Printing,
) {
  const { dynamoUsers, days, start, seed, until } = shop;
  // 3. DynamoDB consumed capacity per step: each seed journey alone, then all, each on a fresh dynalite.
  const lines = shopLines({ users: dynamoUsers, days, start, seed });
  console.log(
    `\n3. DynamoDB capacity on dynalite (embedded, the simulator's timer index): ${fmt(dynamoUsers)} users over ${days} days ` +
      `from ${start} (seed ${seed}), ${fmt(lines.length)} lines; one fresh table per run`,
  );
  const per = (n: number, d: number) => (d === 0 ? "-" : (n / d).toFixed(2));
  const runs: CapacityRun[] = [];
  let coupon: CouponStepCost | undefined;
  let cost: StepCost | undefined;
  const head = [
    "run",
    "decisions",
    "steps",
    "RCU",
    "WCU",
    "refused",
    "requests",
    "RCU/step",
    "WCU/step",
    "WCU+ref/step",
    "steps/s",
  ];
  console.log(`   ${head.join(" | ")}`);
  for (const run of capacityRunsOf(journeys)) {
    const r = await runCapacity({ name: run.name, journeys: run.journeys, lines, until, traits: shop.traits });
    runs.push(r);
    console.log(
      `   ${[
        r.name,
        fmt(r.decisions),
        fmt(r.steps),
        fmt(r.read),
        fmt(r.write),
        fmt(r.conditionFailures),
        fmt(r.requests),
        per(r.read, r.steps),
        per(r.write, r.steps),
        per(r.write + r.conditionFailures, r.steps),
        fmt((r.steps / r.ms) * 1000),
      ].join(" | ")}`,
    );
  }
  const all = runs.at(-1);
  if (all !== undefined) {
    console.log(`   ${all.name}, by operation kind (per step: RCU, WCU, refused writes, requests):`);
    for (const [kind, use] of Object.entries(all.byKind).sort(
      (a, b) => b[1].write + b[1].read - (a[1].write + a[1].read),
    )) {
      console.log(
        `     ${kind}: ${per(use.read, all.steps)} RCU, ${per(use.write, all.steps)} WCU, ` +
          `${per(use.conditionFailures, all.steps)} refused, ${per(use.requests, all.steps)} requests`,
      );
    }
    const rcu = all.read / all.steps;
    const wcu = (all.write + all.conditionFailures) / all.steps;
    console.log(
      `   targets (issue 3): <= 1 read a step: ${rcu.toFixed(2)} ${mark(rcu <= 1)}; <= 2 writes a step (refused included): ` +
        `${wcu.toFixed(2)} ${mark(wcu <= 2)}`,
    );
    cost = costPerMillionSteps(all);
    const { events, emitted, wakeUps } = all.inputsByKind;
    const dollars = (n: number) => `$${n.toFixed(3)}`;
    console.log(
      `   on AWS (docs/cost-model.md): per step ${per(events, all.steps)} shop events, ${per(emitted, all.steps)} emitted, ` +
        `${per(wakeUps, all.steps)} wake-ups, ${per(all.messages, all.steps)} messages; per million steps DynamoDB writes ${dollars(cost.dynamoDbWrites)}, ` +
        `reads ${dollars(cost.dynamoDbReads)} (the guardrail checks left out), proofs read on AWS ${dollars(cost.proofReads)}, ` +
        `tick ${dollars(cost.tick)}, SQS ${dollars(cost.sqs)}, Lambda ${dollars(cost.lambda)}: ` +
        `$${cost.total.toFixed(2)} per million steps; <= $1.50 (issue 12): ${mark(cost.total <= 1.5)}`,
    );
  }
  const newUserCoupon = journeys.find((j) => j.id === "new-user-coupon");
  if (newUserCoupon !== undefined) {
    coupon = await couponStepCost(newUserCoupon, dynamoUsers);
    const kinds = Object.entries(coupon.writesPerCoupon)
      .map(([kind, writes]) => `${kind} ${writes.toFixed(2)}`)
      .join(", ");
    // The registration's profile is written with the welcome's send (or its held place): one write, counted.
    console.log(
      `   a coupon: ${fmt(coupon.users)} users register (new-user-coupon alone): ${fmt(coupon.couponsIssued)} coupons, ` +
        `${coupon.total.toFixed(2)} writes each, all included, the registration's profile too (${kinds}); ` +
        `<= 4 writes on a coupon step (issue 3) and for the whole of a new user's coupon and welcome (issue 12): ` +
        `${mark(coupon.total <= 4)}`,
    );
  }
  const traitCosts =
    shop.traits === undefined
      ? undefined
      : await traitCostRows(journeys, { ...shop, lines, traits: shop.traits }, fmt, mark);
  return {
    users: dynamoUsers,
    days,
    lines: lines.length,
    coupon,
    cost,
    ...(traitCosts === undefined ? {} : { traits: traitCosts }),
    runs: runs.map((r) => ({ ...r, ms: Math.round(r.ms), stepsPerSecond: Math.round((r.steps / r.ms) * 1000) })),
  };
}

/**
 * The traits' and segments' writes per event (issue 15: at most 0.15 with the seed traits), on the shop
 * above, then on the same shop with its engagement (daily check-ins, carts, favourites: events only the
 * traits learn from, each check-in day a profile write of its own).
 */
async function traitCostRows(
  journeys: readonly Journey[],
  shop: {
    lines: readonly string[];
    until: number;
    traits: TraitsFile;
    dynamoUsers: number;
    days: number;
    start: string;
    seed: number;
  },
  fmt: Printing["fmt"],
  mark: Printing["mark"],
) {
  const plain = await traitsCost(journeys, shop);
  const engagedLines = shopLines({
    users: shop.dynamoUsers,
    days: shop.days,
    start: shop.start,
    seed: shop.seed,
    engagement: true,
  });
  const engaged = await traitsCost(journeys, { ...shop, lines: engagedLines });
  for (const [name, cost] of [
    ["the shop above", plain],
    ["with its engagement (check-ins, carts, favourites)", engaged],
  ] as const) {
    const kinds = Object.entries(cost.addedByKind)
      .map(([kind, writes]) => `${kind} ${writes >= 0 ? "+" : ""}${writes.toFixed(3)}`)
      .join(", ");
    console.log(
      `   traits and segments, ${name}: ${fmt(cost.events)} events, writes ${fmt(cost.without)} -> ${fmt(cost.with)}, ` +
        `+${cost.addedPerEvent.toFixed(3)} a event (${kinds}); <= 0.15 (issue 15): ${mark(cost.addedPerEvent <= 0.15)}`,
    );
  }
  return { plain, engaged };
}

import type { TraitsFile } from "../functions/engine/traits/config.ts";
import type { Journey } from "../functions/language/schema.ts";
import {
  type CampaignFigures,
  type CampaignPhase,
  JOURNEY,
  measureCampaign,
  SQS_BATCH,
  timeCampaignInMemory,
} from "./campaign.ts";
import type { Printing } from "./report-dynamodb.ts";

/** Part 8 (`--only campaign`)'s report: what a recipient costs, from bench/campaign.ts's measurement. */

/**
 * On-demand list prices (us-east-1), per unit: https://aws.amazon.com/dynamodb/pricing/on-demand/,
 * https://aws.amazon.com/sqs/pricing/ (the cost model's, docs/cost-model.md).
 */
const PRICE = { write: 0.625e-6, read: 0.125e-6, sqsRequest: 0.4e-6 };
/** Receives and deletes of a message consumed in batches of 10. */
const RECEIVE_AND_DELETE = 0.2;
/** The target of issue 16: a million recipients for under $2, before channel fees. */
export const CAMPAIGN_TARGET_DOLLARS = 2;

/** Dollars per million recipients, DynamoDB and SQS, from the measured figures (Lambda: docs/campaigns.md). */
export function campaignCost(f: CampaignFigures) {
  const phases = [f.fanOut, f.entry, f.emitted];
  const writes = phases.reduce((sum, p) => sum + p.write, 0) / f.audience;
  const reads = phases.reduce((sum, p) => sum + p.read, 0) / f.audience;
  // Sent: the parts and pages, the entries wake-ups (the tick's batches of 10), the entries' own sends;
  // received and deleted: all of those messages, and each message request by its channel's function.
  const messages = f.fanOutMessages + f.entryWakeUps + f.emitted.events + f.messages;
  const sent = f.fanOutMessages + f.entryWakeUps / SQS_BATCH + f.sends.delivery + f.sends.ingest;
  const sqs = (sent + messages * RECEIVE_AND_DELETE) / f.audience;
  const dollars = {
    writes: writes * PRICE.write * 1e6,
    reads: reads * PRICE.read * 1e6,
    sqs: sqs * PRICE.sqsRequest * 1e6,
  };
  return { writes, reads, sqs, dollars, total: dollars.writes + dollars.reads + dollars.sqs };
}

/** One occurrence's figures a member, by phase and operation kind, then its cost. */
function printOccurrence(title: string, figures: CampaignFigures, { fmt, mark }: Printing) {
  const per = (n: number) => (n / figures.audience).toFixed(3);
  console.log(`   ${title}`);
  const phases: [string, CampaignPhase][] = [
    ["fan-out", figures.fanOut],
    ["entry", figures.entry],
    ["emitted events", figures.emitted],
  ];
  for (const [name, phase] of phases) {
    console.log(
      `     ${name}: ${per(phase.read)} RCU, ${per(phase.write)} WCU, ${per(phase.requests)} requests a member`,
    );
    for (const [kind, use] of Object.entries(phase.byKind).sort(
      (a, b) => b[1].write + b[1].read - a[1].write - a[1].read,
    ))
      console.log(`       ${kind}: ${per(use.read)} RCU, ${per(use.write)} WCU, ${per(use.requests)} requests`);
  }
  console.log(
    `     audience ${fmt(figures.audience)}: entered ${fmt(figures.entered)}, holdout ${fmt(figures.holdout)}, ` +
      `messages ${fmt(figures.messages)}, coupons ${fmt(figures.coupons)}; fan-out messages ${fmt(figures.fanOutMessages)}, ` +
      `entries wake-ups ${fmt(figures.entryWakeUps)}`,
  );
  const cost = campaignCost(figures);
  const dollars = (n: number) => `$${n.toFixed(2)}`;
  console.log(
    `     per recipient: ${cost.writes.toFixed(3)} WCU, ${cost.reads.toFixed(3)} RCU, ${cost.sqs.toFixed(2)} SQS requests: ` +
      `${dollars(cost.total)} per million recipients (writes ${dollars(cost.dollars.writes)}, reads ${dollars(cost.dollars.reads)}, ` +
      `SQS ${dollars(cost.dollars.sqs)}; Lambda apart); target < ${dollars(CAMPAIGN_TARGET_DOLLARS)} before channel fees: ` +
      mark(cost.total < CAMPAIGN_TARGET_DOLLARS),
  );
  return cost;
}

/** Prints the part's report. */
export async function campaignPart(
  options: { journeys: readonly Journey[]; traits: TraitsFile | undefined; members: number; memoryMembers: number },
  printing: Printing,
) {
  const { fmt, mark } = printing;
  if (options.traits === undefined) throw new Error("bench: --only campaign needs journeys/traits.json");
  console.log(
    `\n8. A campaign on dynalite (embedded): ${fmt(options.members)} silver members, ${JOURNEY}'s occurrence raised ` +
      "as EventBridge Scheduler raises it, fanned out in parts through a queue, then each member's entry at 10:00 their time",
  );
  const measured = await measureCampaign({ ...options, traits: options.traits });
  const timing = await timeCampaignInMemory({ ...options, traits: options.traits, members: options.memoryMembers });
  const everyCoupon = printOccurrence("every member a coupon (the budget as shipped):", measured.everyCoupon, printing);
  const atMillion = printOccurrence(
    "the next Friday, the budget as at a million members (2% get a coupon; the day spent for the rest):",
    measured.atMillion,
    printing,
  );
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `   in memory (the runtime over the memory store nudge simulate uses; member day alone): ${fmt(timing.members)} members listed in ` +
      `${seconds(timing.listMs)} s, ${fmt(timing.entered)} entered in ${seconds(timing.enterMs)} s; ` +
      `target: 100,000 entered within 60 s: ${timing.members >= 100_000 ? mark(timing.listMs + timing.enterMs < 60_000) : "not measured at 100,000 (--campaign-memory-members)"}`,
  );
  return {
    everyCoupon: { ...measured.everyCoupon, cost: everyCoupon },
    atMillion: { ...measured.atMillion, cost: atMillion },
    timing,
  };
}

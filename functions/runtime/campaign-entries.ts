/**
 * A campaign's entries wake-up: up to a hundred members entered at one instant (campaign-fan-out.ts). Their
 * records and users are read first, MEMBERS_AHEAD at a time, and the decisions their entries would make worked
 * out, so that the coupons those will issue are charged together, one write per budget shard instead of one a
 * coupon (PolicyReservations.precharge). Then each member is entered, one after the other, with what was read
 * (a retry after a lost race reads again). A member's entry that fails fails the group: the charges no entry
 * claimed are given back, and the redelivery enters only those not entered yet (the records' lastOccurrence).
 */

import type { JourneyCatalog } from "../engine/catalog.ts";
import type { CompiledJourney } from "../engine/compile.ts";
import { decideWakeUp } from "../engine/decide.ts";
import { skipsLateMessages } from "../engine/held-messages.ts";
import type { RunRecord, WakeUp } from "../engine/model.ts";
import type { CouponCharge, PolicyInputs } from "../engine/policy-state.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import type { Versioned } from "./ports.ts";
import type { UserInput } from "./user-input.ts";

export type CampaignWakeUp = Extract<WakeUp, { kind: "campaign" }>;

/** A member's run record of the campaign (none before their first entry) and their user, as read. */
export interface MemberRead {
  stored: Versioned<RunRecord> | undefined;
  user: UserInput;
}

/** Members whose record and user reads are in flight at once. */
const MEMBERS_AHEAD = 25;

/** Reading the members ahead, and what their entries would charge. */
export interface ReadAhead {
  read(entry: CampaignWakeUp): Promise<MemberRead>;
  /** The coupons the entry's decision would charge, decided with what was read (no budget read). */
  chargesOf(entry: CampaignWakeUp, read: MemberRead): readonly CouponCharge[];
}

export interface EntriesRequest {
  entries: readonly CampaignWakeUp[];
  /** Absent: the members are entered as they come (a paused campaign's entries lapse, a removed one's too). */
  ahead: ReadAhead | undefined;
  charges: {
    precharge(charges: readonly CouponCharge[]): Promise<void>;
    releasePrecharged(): Promise<void>;
  };
  /** Enters one member, with what was read ahead of it, if anything. */
  enter(entry: CampaignWakeUp, read: MemberRead | undefined): Promise<void>;
}

export async function enterMembers(request: EntriesRequest): Promise<void> {
  const { entries, ahead, charges, enter } = request;
  if (ahead === undefined) {
    for (const entry of entries) await enter(entry, undefined);
    return;
  }
  const reads = new Map<string, MemberRead>();
  const wanted: CouponCharge[] = [];
  for (let from = 0; from < entries.length; from += MEMBERS_AHEAD) {
    const chunk = entries.slice(from, from + MEMBERS_AHEAD);
    const read = await Promise.all(chunk.map((entry) => ahead.read(entry)));
    for (const [index, entry] of chunk.entries()) {
      const member = read[index] as MemberRead;
      reads.set(entry.key, member);
      wanted.push(...ahead.chargesOf(entry, member));
    }
  }
  await charges.precharge(wanted);
  try {
    for (const entry of entries) await enter(entry, reads.get(entry.key));
  } catch (error) {
    // The entry's own error is the one to report; a give-back lost here leaves markers the redelivery finds.
    await charges.releasePrecharged().catch(() => undefined);
    throw error;
  }
  await charges.releasePrecharged();
}

/** What a member's entry is decided ahead with: the journey, what was read, the policies known so far. */
export interface ChargesAheadRequest {
  catalog: JourneyCatalog;
  journey: CompiledJourney;
  entry: CampaignWakeUp;
  read: MemberRead;
  now: number;
  /** The platform's policies, and the budget days this batch found spent (PolicyReservations.knownBudgets). */
  policy: Pick<PolicyInputs, "config" | "budgets">;
  traits: TraitsSetting | undefined;
}

/**
 * The coupons a member's entry would charge: its decision with what was read and no budget read (the engine
 * then asks for the budget, and counts the coupon as fitting), as PolicyReservations.precharge takes them. A
 * campaign with no coupon budget has nothing to charge: its entries are not decided twice.
 */
export function chargesAhead(request: ChargesAheadRequest): readonly CouponCharge[] {
  const { catalog, journey, entry, read, now, traits } = request;
  if (journey.journey.policy.couponBudget === undefined) return [];
  const record = read.stored?.value;
  const version = record?.run?.version;
  const runJourney =
    version !== undefined && version !== journey.version ? catalog.get(journey.id, version) : undefined;
  const skipLate = skipsLateMessages((runJourney ?? journey).journey, entry, now);
  const policy: PolicyInputs = { ...request.policy, sends: read.user.sends, skipLate };
  const { profile } = read.user;
  const decision = decideWakeUp({
    current: journey,
    runJourney,
    record,
    key: entry.key,
    profile,
    now,
    policy,
    traits,
    wakeUp: entry,
  });
  return decision?.policy.charges ?? [];
}

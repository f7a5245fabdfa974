import { entryOf, newMap } from "../../shared/maps.ts";
import { durationMs, parseInstant } from "../../shared/time.ts";
import type { SentMessage } from "../model.ts";
import type { JourneyCap, PlatformCap } from "./config.ts";

export type { SentMessage } from "../model.ts";

/** The message being decided on, as far as caps are concerned. */
export interface CappedMessage {
  journeyId: string;
  channel: string;
  category: string;
}

/** One cap as the decision applies it: a rule name, a limit, a window and which sends it counts. */
export interface CapRule {
  rule: string;
  max: number;
  windowMs: number;
  counts: (sent: SentMessage) => boolean;
}

/** Which sends a cap counts: marketing only or all, the user's or one channel's, or one journey's. */
interface Counting {
  marketingOnly: boolean;
  channel?: string;
  journeyId?: string;
}

/** A cap rule as data with a method, not a closure per message: capsFor runs for every message decided. */
class CountingCap implements CapRule {
  readonly rule: string;
  readonly max: number;
  readonly windowMs: number;
  private readonly counting: Counting;

  constructor(options: { rule: string; max: number; windowMs: number; counting: Counting }) {
    this.rule = options.rule;
    this.max = options.max;
    this.windowMs = options.windowMs;
    this.counting = options.counting;
  }

  counts(sent: SentMessage): boolean {
    const { marketingOnly, channel, journeyId } = this.counting;
    return (
      (!marketingOnly || sent.category === "marketing") &&
      (channel === undefined || sent.channel === channel) &&
      (journeyId === undefined || sent.journeyId === journeyId)
    );
  }
}

/**
 * Rules worked out, by the platform's caps, the journey's caps, then the message's journey, channel and
 * category: maps of maps rather than one key built of the three, which every message decided would pay.
 */
type ByCategory = Map<string, readonly CapRule[]>;
type ByChannel = Map<string, ByCategory>;
type ByJourney = Map<string, ByChannel>;
const workedOut = new WeakMap<readonly PlatformCap[], WeakMap<readonly JourneyCap[], ByJourney>>();
const newWeakMap = () => new WeakMap<readonly JourneyCap[], ByJourney>();

/**
 * The caps that apply to a message: the platform's (`cap:<id>`) and its journey's own (`journey-cap:<id>`).
 * A marketing-only cap neither holds back nor counts service messages. Worked out once per kind of message
 * for the same (parsed, unchanging) cap lists, as every message decided asks.
 */
export function capsFor(
  message: CappedMessage,
  platformCaps: readonly PlatformCap[],
  journeyCaps: readonly JourneyCap[],
): readonly CapRule[] {
  const byJourney = entryOf(entryOf(workedOut, platformCaps, newWeakMap), journeyCaps, newMap<string, ByChannel>);
  const byChannel = entryOf(byJourney, message.journeyId, newMap<string, ByCategory>);
  const byCategory = entryOf(byChannel, message.channel, newMap<string, readonly CapRule[]>);
  let rules = byCategory.get(message.category);
  if (rules === undefined) {
    rules = capRules(message, platformCaps, journeyCaps);
    byCategory.set(message.category, rules);
  }
  return rules;
}

function capRules(
  message: CappedMessage,
  platformCaps: readonly PlatformCap[],
  journeyCaps: readonly JourneyCap[],
): CapRule[] {
  const rules: CapRule[] = [];
  for (const cap of platformCaps) {
    if (cap.appliesTo === "marketing" && message.category !== "marketing") continue;
    const counting: Counting = { marketingOnly: cap.appliesTo !== "all" };
    if (cap.scope !== "user") counting.channel = message.channel;
    rules.push(new CountingCap({ rule: `cap:${cap.id}`, max: cap.max, windowMs: durationMs(cap.per), counting }));
  }
  for (const cap of journeyCaps) {
    const counting: Counting = { marketingOnly: false, journeyId: message.journeyId };
    rules.push(
      new CountingCap({ rule: `journey-cap:${cap.id}`, max: cap.max, windowMs: durationMs(cap.per), counting }),
    );
  }
  return rules;
}

/**
 * The first instant at or after `at` when a cap lets one more message through, or `at` itself when it
 * does now. A send counts while it is less than the window old; sends after `at` (a clock running a
 * little behind another) count too, which errs on the side of fewer messages; a deferred message's place
 * (`held`) counts only once its time has come.
 */
export function capAllowsAt(cap: CapRule, sent: readonly SentMessage[], at: number): number {
  if (sent.length < cap.max) return at; // fewer sends than the cap allows, whichever count
  const counted: number[] = [];
  for (const message of sent) {
    const sentAt = parseInstant(message.at);
    if (sentAt === undefined || (message.held && sentAt > at)) continue; // a place held for later: not sent yet
    if (sentAt > at - cap.windowMs && cap.counts(message)) counted.push(sentAt);
  }
  if (counted.length < cap.max) return at;
  counted.sort((a, b) => a - b);
  // Once the oldest (counted - max + 1) sends have aged out of the window, one more fits.
  const freeing = counted[counted.length - cap.max] ?? at;
  return Math.max(at, freeing + cap.windowMs);
}

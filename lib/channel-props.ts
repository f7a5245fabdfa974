/**
 * What a stack's delivery channels are (the props the CDK app gives lib/channels.ts: a provider and a rate per
 * channel) and how a channel's rate is shared between its lanes. See lib/channels.ts for the rate limits.
 */

import type { SmsTemplateRef } from "../functions/channels/alibaba-sms.ts";
import { LANES, type Lane } from "../functions/handlers/lanes.ts";
import type { Journey } from "../functions/language/schema.ts";

/** How fast a channel may send, and how that is shared between its lanes. */
export interface ChannelRate {
  /** Messages a second the channel may send, all instances and lanes together. */
  ratePerSecond: number;
  /** The campaigns' lane's part of the rate, between 0 and 1 (default DEFAULT_CAMPAIGN_SHARE); the journeys' gets the rest. */
  campaignShare?: number;
  /** The transactional lane's part of the rate, between 0 and 1 (default DEFAULT_TRANSACTIONAL_SHARE). */
  transactionalShare?: number;
}

/** A channel that POSTs to the shop's gateway (push, SMS, WeChat); without a URL its messages go to the log. */
export interface WebhookChannelProps extends ChannelRate {
  provider: "webhook";
  url?: string;
}

/** Email through Amazon SES v2; without a From address its messages go to the log. */
export interface EmailChannelProps extends ChannelRate {
  provider: "email";
  /** An SES verified identity, e.g. `"Shop" <news@shop.example>`. */
  from?: string;
  configurationSet?: string;
  defaultSubject?: string;
}

/**
 * SMS through Alibaba Cloud SMS (阿里云短信服务); without a signature its messages go to the log. The
 * AccessKey is a Secrets Manager secret the stack creates (`AlibabaSmsSecret`), which the operator fills
 * with `{"accessKeyId": "…", "accessKeySecret": "…"}` (docs/channels/sms.md).
 */
export interface AlibabaSmsChannelProps extends ChannelRate {
  provider: "alibaba-sms";
  /** The approved signature (短信签名) of a template whose `sms` block names none. */
  signName?: string;
  /** The template files' `sms` blocks by template id (smsTemplateRefs of the journeys' template library). */
  templates?: Readonly<Record<string, SmsTemplateRef>>;
  /** Another endpoint than https://dysmsapi.aliyuncs.com. */
  endpoint?: string;
}

/**
 * WeChat mini-program subscribe messages (小程序订阅消息) through WeChat's API. The app's AppID and AppSecret
 * are a Secrets Manager secret the stack creates (`WechatSecret`), which the operator fills with
 * `{"appId": "wx…", "appSecret": "…"}` (docs/channels/wechat.md).
 */
export interface WechatSubscribeChannelProps extends ChannelRate {
  provider: "wechat-subscribe";
  /** Which version of the mini-program a message opens (default `formal`). */
  miniprogramState?: "formal" | "trial" | "developer";
  /** Another API than https://api.weixin.qq.com. */
  apiBase?: string;
}

/** Messages kept for the shop's site to show (pop-ups, cards): lib/inbox.ts serves them. */
export interface InboxChannelProps extends ChannelRate {
  provider: "inbox";
}

export type ChannelProps =
  | WebhookChannelProps
  | EmailChannelProps
  | AlibabaSmsChannelProps
  | WechatSubscribeChannelProps
  | InboxChannelProps;

/**
 * The channels a stack has unless told otherwise. The rates are a starting point: a push gateway takes
 * hundreds a second, SMS gateways are metered tighter, and SES's default production sending quota is
 * 14 a second (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas.html).
 */
export const DEFAULT_CHANNELS: Readonly<Record<string, ChannelProps>> = {
  push: { provider: "webhook", ratePerSecond: 100 },
  sms: { provider: "webhook", ratePerSecond: 20 },
  wechat: { provider: "webhook", ratePerSecond: 50 },
  email: { provider: "email", ratePerSecond: 14 },
  // A table write a message: the rate only paces the deliver function.
  inbox: { provider: "inbox", ratePerSecond: 100 },
};

export const DEFAULT_CAMPAIGN_SHARE = 0.5;
export const DEFAULT_TRANSACTIONAL_SHARE = 0.1;

/** `push-campaigns` as construct ids and output names write it: `PushCampaigns`. */
export function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
}

export type { Lane } from "../functions/handlers/lanes.ts";

/** A lane's share of its channel's rate (the journeys' lane has none: it gets the rest). */
const shareOf = (channel: ChannelRate, lane: Lane): number =>
  lane === "campaigns"
    ? (channel.campaignShare ?? DEFAULT_CAMPAIGN_SHARE)
    : lane === "transactional"
      ? (channel.transactionalShare ?? DEFAULT_TRANSACTIONAL_SHARE)
      : 0;

/**
 * Each of a channel's lanes' whole messages a second: the campaigns' and the transactional lane's shares of the
 * rate, the rest to the journeys', at least 1 each.
 */
export function laneRates(channel: ChannelRate, lanes: readonly Lane[]): Partial<Record<Lane, number>> {
  const rates: Partial<Record<Lane, number>> = {};
  let taken = 0;
  for (const lane of lanes.filter((l) => l !== "journeys")) {
    rates[lane] = Math.max(1, Math.round(channel.ratePerSecond * shareOf(channel, lane)));
    taken += rates[lane];
  }
  rates.journeys = Math.max(1, channel.ratePerSecond - taken);
  return rates;
}

/** The lanes a channel has: all but the campaigns' when no campaign sends on it. */
export function lanesOf(channel: string, campaignChannels: ReadonlySet<string>): Lane[] {
  return LANES.map((spec) => spec.lane).filter((lane) => lane !== "campaigns" || campaignChannels.has(channel));
}

/** How many instances of a channel's function may run at once: about 10 sends a second each (SQS event sources allow 2-1000). */
export function maxConcurrencyFor(ratePerSecond: number): number {
  return Math.min(1000, Math.max(2, Math.ceil(ratePerSecond / 10)));
}

/** A batch one instance sends within about 20 s at its share of the rate (1-10 records). */
export function batchSizeFor(ratePerSecond: number): number {
  const perInstance = ratePerSecond / maxConcurrencyFor(ratePerSecond);
  return Math.min(10, Math.max(1, Math.floor(perInstance * 20)));
}

/** The channel names the journeys send on, with where (for the synth's error). */
export function journeyChannels(journeys: readonly Journey[]): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const journey of journeys) {
    for (const step of journey.steps) {
      if (step.type !== "send") continue;
      uses.set(step.channel, [...(uses.get(step.channel) ?? []), `${journey.id} v${journey.version} step ${step.id}`]);
    }
  }
  return uses;
}

const SHARE_FIELDS = { campaigns: "campaignShare", transactional: "transactionalShare" } as const;

/** Each share a number between 0 and 1 (also one of a lane the channel lacks), the lanes' leaving the journeys' some. */
export function checkShares(name: string, channel: ChannelRate, lanes: readonly Lane[]): void {
  let total = 0;
  for (const [lane, field] of Object.entries(SHARE_FIELDS) as [Lane, string][]) {
    const share = shareOf(channel, lane);
    if (!(share > 0 && share < 1)) throw new Error(`channel ${name}: ${field}: expected a number between 0 and 1`);
    if (lanes.includes(lane)) total += share;
  }
  if (total >= 1)
    throw new Error(`channel ${name}: campaignShare and transactionalShare: together ${total}, expected less than 1`);
}

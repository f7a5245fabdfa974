import type { ShopEvent } from "../../../events/catalog.ts";
import {
  invalidKeyword,
  NO_SUBSCRIPTION_GRANT,
  WECHAT_CHANNEL,
  WECHAT_DATA_INVALID,
  WECHAT_TEMPLATE_ID_PARAM,
} from "../../language/wechat-rules.ts";
import type { Profile, WechatGrant } from "../model.ts";
import { rememberKey, remembersKey } from "../profile-keys.ts";

/**
 * Consent as inventory: WeChat mini-program subscribe messages (小程序订阅消息) are one-time. Each time a
 * user accepts a template in `wx.requestSubscribeMessage`, the shop may send that template to them once,
 * and WeChat answers errcode 43101 to a send beyond that.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html
 *
 * So the profile keeps the grants by WeChat template id (`wechatGrants`): `wechat.subscription_granted`
 * adds `count`; a send step on the channel `wechat` takes one, or is suppressed (`no-subscription-grant`).
 * The engine decides (pure, journaled for `nudge why`, seen by the campaign forecast); the runtime writes
 * the taken grants with the profile in the decision's one conditional write of the user (journey-runtime.ts),
 * so two decisions racing for the last grant cannot both send: the second loses its write and decides
 * again with none left. A grant records the ids of the messages it went to (`used`): a decision retried
 * after that write finds its own and does not take a second.
 */

/** Message ids a grant remembers: enough for any decision retried (it retries within seconds). */
export const USED_IDS_KEPT = 20;

/** One grant taken by a decision: the WeChat template and the message it goes to. */
export interface GrantUse {
  templateId: string;
  messageId: string;
}

/**
 * Why a message on the channel `wechat` must not go (a keyword WeChat would refuse, no grant left); else
 * undefined, with the grant it takes added to `used`. Messages on other channels, or whose template has no
 * `wechat` block, pass untouched.
 */
export function wechatVerdict(
  message: { channel: string; messageId: string; params: Readonly<Record<string, string>> | undefined },
  profile: Profile,
  used: GrantUse[],
): { reason: string; rule: string } | undefined {
  const { channel, messageId, params } = message;
  const templateId = params?.[WECHAT_TEMPLATE_ID_PARAM];
  if (channel !== WECHAT_CHANNEL || params === undefined || templateId === undefined) return undefined;
  const invalid = invalidKeyword(params);
  if (invalid !== undefined) return { reason: WECHAT_DATA_INVALID, rule: `wechat-data:${invalid.name}` };
  const grant = profile.wechatGrants?.[templateId];
  // Taken by an earlier attempt at this decision, whose write of the user landed.
  if (grant?.used?.includes(messageId) === true) return undefined;
  const takenNow = used.filter((use) => use.templateId === templateId).length;
  if ((grant?.count ?? 0) - takenNow <= 0) return { reason: NO_SUBSCRIPTION_GRANT, rule: `wechat-grant:${templateId}` };
  used.push({ templateId, messageId });
  return undefined;
}

/** The profile with the decision's grants taken; the same profile when it takes none (or only its own, again). */
export function profileWithGrantsUsed(profile: Profile, uses: readonly GrantUse[]): Profile {
  let grants: Record<string, WechatGrant> | undefined;
  for (const { templateId, messageId } of uses) {
    const grant = grants?.[templateId] ?? profile.wechatGrants?.[templateId];
    if (grant === undefined || grant.used?.includes(messageId) === true) continue;
    grants ??= { ...profile.wechatGrants };
    grants[templateId] = {
      ...grant,
      count: Math.max(0, grant.count - 1),
      used: [...(grant.used ?? []), messageId].slice(-USED_IDS_KEPT),
    };
  }
  return grants === undefined ? profile : { ...profile, wechatGrants: grants };
}

/**
 * A `wechat.subscription_granted` applied to the profile: `count` grants added, once per event (a redelivery
 * at any lateness adds nothing), and none from a grant older than the template's latest refusal.
 */
export function applyGrant(next: Profile, event: ShopEvent, at: string): boolean {
  const { templateId, count } = event.detail;
  if (typeof templateId !== "string" || typeof count !== "number" || count < 1) return false;
  const key = `grant/${event.id}`;
  if (remembersKey(next.countedKeys, key)) return false;
  const grant = next.wechatGrants?.[templateId];
  if (grant?.clearedAt !== undefined && at < grant.clearedAt) return false;
  next.countedKeys = rememberKey(next.countedKeys, key);
  next.wechatGrants = { ...next.wechatGrants, [templateId]: { ...grant, count: (grant?.count ?? 0) + count } };
  return true;
}

/** The profile with a template's grants cleared at `at` (WeChat refused a send: errcode 43101). */
export function profileWithGrantsCleared(profile: Profile, templateId: string, at: string): Profile {
  const grant = profile.wechatGrants?.[templateId];
  return { ...profile, wechatGrants: { ...profile.wechatGrants, [templateId]: { ...grant, count: 0, clearedAt: at } } };
}

/**
 * The WeChat subscribe message channel (小程序订阅消息): each message request POSTed to
 * `/cgi-bin/message/subscribe/send` with the user's openid (`touser`, the profile's `attributes.wechatOpenId`),
 * the template file's `wechat` block as the engine rendered it (`template_id`, `page`, the keywords in `data`)
 * and the shared access token (wechat-token.ts).
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 *
 * The profile is read at send time (a consistent read): no openid is `no-address`, and a marketing message
 * to a user who unsubscribed since the decision is skipped, as the email channel does.
 *
 * WeChat answers HTTP 200 with an `errcode`: 0 is sent. The others (wechatOutcome):
 * - 40001, 40014, 42001: the access token is no longer good: it is marked stale, refreshed (once, for every
 *   instance) and the send tried once more; still refused, the message is retried later.
 * - 43101: the user refused (no grant WeChat knows of): permanent, and the user's grants of the template
 *   are cleared (runtime/wechat-grants.ts), so the next messages are suppressed, not sent and refused.
 * - 40003 (openid), 40037 (template_id), 41030 (page), 47003 (data): permanent, the message is wrong.
 * - -1 (system busy), 45009 (daily quota), HTTP 5xx and 429, network errors, timeouts: retryable.
 * - any other errcode: permanent, to the dead-letter queue with WeChat's answer, for someone to read.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/backend-api.html (error codes)
 */
import { acceptsMarketing } from "../engine/context.ts";
import { WECHAT_PAGE_PARAM, WECHAT_TEMPLATE_ID_PARAM } from "../language/wechat-rules.ts";
import type { ProfileReader, UserStore } from "../runtime/ports.ts";
import { clearWechatGrants } from "../runtime/wechat-grants.ts";
import type { MessageChannel, MessageRequest, SendResult } from "./channel.ts";
import { excerpt, PermanentDeliveryError, RetryableDeliveryError } from "./errors.ts";
import type { WechatAccessToken } from "./wechat-token.ts";

/** The profile attribute that holds the user's openid for the mini-program. */
export const OPENID_ATTRIBUTE = "wechatOpenId";

/** The errcodes that say the access token is no longer good. */
export const TOKEN_ERRORS: ReadonlySet<number> = new Set([40001, 40014, 42001]);
/** The user refused the template's messages: their grants are cleared. */
export const USER_REFUSED = 43101;
/** WeChat is busy or the app's quota is spent for now: the message is tried again later. */
export const RETRYABLE_ERRORS: ReadonlySet<number> = new Set([-1, 45009]);

export type MiniprogramState = "formal" | "trial" | "developer";

export interface WechatChannelOptions {
  /** `https://api.weixin.qq.com`, or a local stand-in's URL. */
  apiBase: string;
  token: Pick<WechatAccessToken, "get" | "invalidate">;
  profiles: ProfileReader;
  /** Where a refusal (43101) clears the user's grants. */
  users: UserStore;
  /** Which version of the mini-program the message opens (default `formal`, the released one). */
  miniprogramState?: MiniprogramState;
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: () => number;
}

/** WeChat's language of the message's "进入小程序查看" link, from the message's locale. */
export function wechatLang(locale: string): "zh_CN" | "en_US" | "zh_HK" | "zh_TW" {
  if (locale === "zh-HK" || locale === "zh-TW") return locale.replace("-", "_") as "zh_HK" | "zh_TW";
  return locale.startsWith("en") ? "en_US" : "zh_CN";
}

/** The subscribe/send body of a message: `data` holds each keyword as `{ value }`. */
export function subscribeBody(
  message: MessageRequest,
  openid: string,
  state: MiniprogramState,
): Record<string, unknown> | undefined {
  const params = message.params ?? {};
  const templateId = params[WECHAT_TEMPLATE_ID_PARAM];
  if (templateId === undefined) return undefined;
  const data: Record<string, { value: string }> = {};
  for (const [name, value] of Object.entries(params)) if (!name.startsWith("@")) data[name] = { value };
  const page = params[WECHAT_PAGE_PARAM];
  return {
    touser: openid,
    template_id: templateId,
    ...(page === undefined ? {} : { page }),
    data,
    miniprogram_state: state,
    lang: wechatLang(message.locale),
  };
}

export class WechatSubscribeChannel implements MessageChannel {
  private readonly fetch: typeof fetch;
  private readonly clock: () => number;

  constructor(private readonly options: WechatChannelOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? Date.now;
  }

  async send(message: MessageRequest): Promise<SendResult> {
    const profile = (await this.options.profiles.getProfile(message.user, { consistent: true }))?.value;
    const openid = profile?.attributes[OPENID_ATTRIBUTE];
    if (typeof openid !== "string" || openid === "") return { skipped: "no-address" };
    const needsConsent = message.category === "marketing" || message.consent === "required";
    if (needsConsent && !acceptsMarketing(profile as NonNullable<typeof profile>, message.channel))
      return { skipped: "unsubscribed" };
    const what = `message ${message.id} (${message.channel})`;
    const body = subscribeBody(message, openid, this.options.miniprogramState ?? "formal");
    if (body === undefined) {
      throw new PermanentDeliveryError(`${what}: its template has no wechat block`, {
        code: "no-wechat-template",
        response: `template "${message.template}": its file has no "wechat" block (templateId, data)`,
      });
    }
    let token = await this.options.token.get();
    let answer = await this.post(token, body, what);
    if (TOKEN_ERRORS.has(answer.errcode)) {
      await this.options.token.invalidate(token);
      token = await this.options.token.get();
      answer = await this.post(token, body, what);
    }
    if (answer.errcode === USER_REFUSED) {
      const templateId = String(body.template_id);
      await clearWechatGrants(this.options.users, { userId: message.user, templateId, at: this.clock() });
    }
    const failure = wechatOutcome(answer, what);
    if (failure !== undefined) throw failure;
    return undefined;
  }

  private async post(token: string, body: Record<string, unknown>, what: string): Promise<WechatAnswer> {
    const url = `${this.options.apiBase}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      throw new RetryableDeliveryError(`${what}: WeChat did not answer`, { cause: error });
    }
    const text = await response.text().catch(() => "");
    if (response.status >= 500 || response.status === 429)
      throw new RetryableDeliveryError(`${what}: WeChat answered HTTP ${response.status}`);
    const errcode = parseErrcode(text);
    if (!response.ok || errcode === undefined) {
      throw new PermanentDeliveryError(`${what}: WeChat answered HTTP ${response.status}`, {
        status: response.status,
        response: excerpt(text),
      });
    }
    return { errcode, text };
  }
}

/** WeChat's answer: its errcode (0: sent) and the body as it came. */
export interface WechatAnswer {
  errcode: number;
  text: string;
}

function parseErrcode(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { errcode?: unknown };
    return typeof parsed.errcode === "number" ? parsed.errcode : parsed.errcode === undefined ? 0 : undefined;
  } catch {
    return undefined;
  }
}

/** The delivery error an answer means; undefined when the message was sent (errcode 0). */
export function wechatOutcome(answer: WechatAnswer, what: string): Error | undefined {
  const { errcode, text } = answer;
  if (errcode === 0) return undefined;
  // The body quotes no user data (errmsg and a request id): it goes with a refusal to the dead-letter queue.
  if (TOKEN_ERRORS.has(errcode) || RETRYABLE_ERRORS.has(errcode))
    return new RetryableDeliveryError(`${what}: WeChat answered errcode ${errcode}`);
  const why =
    errcode === USER_REFUSED
      ? "the user refused the template's messages; their grants are cleared"
      : "WeChat refused it";
  return new PermanentDeliveryError(`${what}: ${why} (errcode ${errcode})`, {
    status: 200,
    code: String(errcode),
    response: excerpt(text),
  });
}

/**
 * The local platform's delivery channels, one per channel name, each behind its own local queue as on
 * AWS. Every message delivered is also recorded in the outbox (outbox.ts), which the console prints:
 *
 * - a webhook channel (push, sms, wechat) POSTs to `--webhook-url` / `NUDGE_WEBHOOK_URL` with the real
 *   WebhookChannel (signed with `NUDGE_WEBHOOK_SECRET` or the generated local secret); without a URL the
 *   message goes to the outbox alone;
 * - the wechat channel runs the real WechatSubscribeChannel against a stand-in for WeChat's API (LocalWechatChannel);
 * - the inbox channel runs the real InboxChannel over the local table, where the `/inbox/` API of the
 *   platform's port finds the messages (local/inbox.ts);
 * - the email channel runs the real EmailChannel (the profile's address, the last-moment consent check,
 *   the RFC 8058 headers with a working link to the local `/unsubscribe`), and where SES would send the
 *   message, writes the complete message to `<dir>/mail.mbox` (mail.ts).
 */
import { appendFileSync } from "node:fs";
import type { SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import type { MessageChannel, MessageRequest, SendResult } from "../channels/channel.ts";
import { EmailChannel } from "../channels/email.ts";
import { fixedSecret } from "../channels/secret.ts";
import { WebhookChannel } from "../channels/webhook.ts";
import { WechatSubscribeChannel } from "../channels/wechat.ts";
import { WechatAccessToken, type WechatCredentials } from "../channels/wechat-token.ts";
import type { ProfileReader, SharedValueStore, UserStore } from "../runtime/ports.ts";
import { mboxEntry, renderEmail } from "./mail.ts";
import type { OutboxChannel } from "./outbox.ts";

/**
 * The channels a local platform has by default, and which provider each uses (as the CDK app's); `sms` is
 * `alibaba-sms` when the platform is given a signature (sms.ts), as on AWS.
 */
export const LOCAL_CHANNELS: Readonly<
  Record<string, "webhook" | "email" | "alibaba-sms" | "wechat-subscribe" | "inbox">
> = {
  push: "webhook",
  sms: "webhook",
  wechat: "wechat-subscribe",
  email: "email",
  inbox: "inbox",
};

/**
 * The wechat channel: the real WechatSubscribeChannel (openid, grants and consent from the profile, the
 * token shared through the store) against `apiBase`: the platform's own stand-in for api.weixin.qq.com
 * (wechat-stand-in.ts), or another given with `NUDGE_WECHAT_API_URL`. What WeChat took goes to the outbox.
 */
export class LocalWechatChannel implements MessageChannel {
  private readonly wechat: WechatSubscribeChannel;

  constructor(
    private readonly outbox: OutboxChannel,
    options: {
      apiBase: string;
      credentials: WechatCredentials;
      store: SharedValueStore & UserStore & ProfileReader;
      /** The platform's clock: a refusal clears the grants as of its (virtual) time. */
      clock: () => number;
    },
  ) {
    const { apiBase, credentials, store, clock } = options;
    const token = new WechatAccessToken({ store, apiBase, credentials: async () => credentials, clock });
    this.wechat = new WechatSubscribeChannel({ apiBase, token, profiles: store, users: store, clock });
  }

  async send(message: MessageRequest): Promise<SendResult> {
    if (this.outbox.has(message.id)) return undefined;
    const result = await this.wechat.send(message);
    if (result?.skipped !== undefined) return result;
    this.outbox.record(message, { via: "wechat" });
    return undefined;
  }
}

export class LocalWebhookChannel implements MessageChannel {
  private readonly webhook: WebhookChannel;

  constructor(
    private readonly outbox: OutboxChannel,
    options: { url: string; secret: string; timeoutMs?: number },
  ) {
    this.webhook = new WebhookChannel({
      url: options.url,
      secret: fixedSecret(options.secret),
      timeoutMs: options.timeoutMs ?? 5_000,
    });
  }

  async send(message: MessageRequest): Promise<undefined> {
    if (this.outbox.has(message.id)) return undefined;
    await this.webhook.send(message);
    this.outbox.record(message, { via: "webhook" });
    return undefined;
  }
}

export interface LocalEmailOptions {
  profiles: ProfileReader;
  from: string;
  defaultSubject: string;
  unsubscribeUrl: string;
  unsubscribeSecret: string;
  mboxPath: string;
  clock: () => number;
}

export class LocalEmailChannel implements MessageChannel {
  constructor(
    private readonly outbox: OutboxChannel,
    private readonly options: LocalEmailOptions,
  ) {}

  async send(message: MessageRequest): Promise<SendResult> {
    if (this.outbox.has(message.id)) return undefined;
    let sent: SendEmailCommandInput | undefined;
    // The real channel, with SES replaced by what it was asked to send.
    const email = new EmailChannel({
      ses: {
        send: async (command: { input: SendEmailCommandInput }) => {
          sent = command.input;
          return {};
        },
      } as never,
      profiles: this.options.profiles,
      from: this.options.from,
      defaultSubject: this.options.defaultSubject,
      unsubscribeUrl: this.options.unsubscribeUrl,
      unsubscribeSecret: fixedSecret(this.options.unsubscribeSecret),
      clock: this.options.clock,
    });
    const result = await email.send(message);
    if (result?.skipped !== undefined || sent === undefined) return result;
    const date = new Date(this.options.clock());
    const raw = renderEmail(sent, message.id, date);
    appendFileSync(this.options.mboxPath, mboxEntry(raw, date));
    this.outbox.record(message, {
      via: "email",
      to: sent.Destination?.ToAddresses?.join(", ") ?? "",
      subject: sent.Content?.Simple?.Subject?.Data ?? "",
      raw,
    });
    return undefined;
  }
}

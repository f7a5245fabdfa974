/**
 * The local platform's SMS channel through Alibaba Cloud SMS, when it is given a signature (`nudge start
 * --sms-sign-name`, or NUDGE_SMS_SIGN_NAME), as the CDK app's is: the real AlibabaSmsChannel and the
 * provider's real SDK, pointed at the local stand-in for the provider's endpoint (alibaba-sms-stand-in.ts),
 * which checks each request as the provider documents it. The AccessKey both share is the local secrets
 * file's (`<dir>/secrets.json`, `alibaba-sms`), or NUDGE_ALIBABA_SMS_CREDENTIALS. A number the provider
 * reports unsubscribed is published as `user.unsubscribed` to the platform's own EventBridge endpoint.
 * Each message taken is recorded in the outbox, with the parameters the provider got.
 */
import { randomBytes } from "node:crypto";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  AlibabaSmsChannel,
  dysmsapiClient,
  parseAlibabaCredentials,
  type SmsTemplateRef,
} from "../channels/alibaba-sms.ts";
import type { MessageChannel, MessageRequest, SendResult } from "../channels/channel.ts";
import { fixedSecret } from "../channels/secret.ts";
import { busPublisher } from "../handlers/unsubscribe.ts";
import type { ProfileReader } from "../runtime/ports.ts";
import { AlibabaSmsStandIn } from "./alibaba-sms-stand-in.ts";
import type { OutboxChannel } from "./outbox.ts";
import { localSecret } from "./secrets.ts";

/** What the local platform is told about SMS through Alibaba Cloud SMS. */
export interface LocalSmsSettings {
  signName: string;
  /** The template files' `sms` blocks, by template id (smsTemplateRefs). */
  templates: Readonly<Record<string, SmsTemplateRef>>;
  /** The AccessKey JSON from the environment; none: the local secrets file's. */
  credentials?: string | undefined;
}

/** A generated local AccessKey, in the shape the provider's secret has. */
const localAccessKey = () =>
  JSON.stringify({
    accessKeyId: `LTAI-local-${randomBytes(6).toString("hex")}`,
    accessKeySecret: randomBytes(24).toString("base64url"),
  });

/** The running stand-in, and how to build the channel once the platform's endpoint listens. */
export interface LocalSms {
  /** The stand-in's endpoint, `http://127.0.0.1:<port>`. */
  endpoint: string;
  channel(outbox: OutboxChannel, options: { profiles: ProfileReader; eventBusUrl: string }): MessageChannel;
  stop(): Promise<void>;
}

/** Starts the stand-in for the provider on 127.0.0.1 with the local AccessKey. */
export async function startLocalSms(dir: string, settings: LocalSmsSettings): Promise<LocalSms> {
  const credentials = localSecret(dir, "alibaba-sms", settings.credentials, localAccessKey);
  const standIn = new AlibabaSmsStandIn(parseAlibabaCredentials(credentials));
  const endpoint = await standIn.start();
  return {
    endpoint,
    channel: (outbox, options) => {
      const eventBridge = new EventBridgeClient({
        endpoint: options.eventBusUrl,
        region: "local",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      });
      const sms = new AlibabaSmsChannel({
        client: dysmsapiClient({ credentials: fixedSecret(credentials), endpoint, timeoutMs: 5_000 }),
        profiles: options.profiles,
        templates: settings.templates,
        defaultSignName: settings.signName,
        unsubscribe: busPublisher(eventBridge, "default"),
      });
      return new LocalSmsChannel(outbox, sms);
    },
    stop: () => standIn.stop(),
  };
}

/** The SMS channel, sending each message once (the outbox is its ledger) and recording it there. */
export class LocalSmsChannel implements MessageChannel {
  constructor(
    private readonly outbox: OutboxChannel,
    private readonly sms: MessageChannel,
  ) {}

  async send(message: MessageRequest): Promise<SendResult> {
    if (this.outbox.has(message.id)) return undefined;
    const result = await this.sms.send(message);
    if (result?.skipped !== undefined) return result;
    this.outbox.record(message, {
      via: "alibaba-sms",
      ...(message.params === undefined ? {} : { params: message.params }),
    });
    return undefined;
  }
}

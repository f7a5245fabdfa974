/**
 * The SMS channel through Alibaba Cloud SMS (阿里云短信服务), with its Node.js SDK
 * (`@alicloud/dysmsapi-2017-05-25`): SendSms of the message's approved template (`TemplateCode`, from the
 * template file's `sms` block), its parameters as the engine rendered them (`TemplateParam`), the signature
 * (`SignName`), and Nudge's message id as `OutId`, which the provider hands back in its delivery receipts.
 * https://help.aliyun.com/document_detail/55284.html (SendSms)
 *
 * The number is the user's profile's (`phone`), read at send time from the table (a consistent read), which
 * is also the last-moment consent check, as for email: a marketing SMS to a user who unsubscribed from SMS,
 * or from everything, since the journey decided to send it is skipped, logged and counted, not sent.
 *
 * Outcomes (https://help.aliyun.com/document_detail/101346.html, the API's error codes):
 * - throttling and flow control (the API's QPS limit, isv.BUSINESS_LIMIT_CONTROL for one number, the
 *   console's daily and monthly limits), the provider's system errors, the network, a timeout: retryable,
 *   backed off on the queue (delivery-queue.ts);
 * - an invalid number, or content the provider refuses (a missing or overlong parameter, a template or
 *   signature not approved): permanent, to the dead-letter queue at once with the provider's code;
 * - a number the provider reports as unsubscribed: permanent too, and a consent change: a `user.unsubscribed`
 *   event for the channel is published first, so that the journeys stop choosing SMS for the user.
 * - account problems (balance, permissions, keys) an operator fixes: retryable, as for SES; after the
 *   queue's receives the message rests in the dead-letter queue, to be redriven.
 *
 * The API is not idempotent ("均不支持幂等的能力"): the deliver function wraps this channel in the ledger of
 * message ids (ledger.ts), as it does SES.
 */
import Dysmsapi from "@alicloud/dysmsapi-2017-05-25";
import { acceptsMarketing } from "../engine/context.ts";
import { overlongSmsParams } from "../language/sms-rules.ts";
import type { ProfileReader } from "../runtime/ports.ts";
import { NudgeError } from "../shared/errors.ts";
import type { MessageChannel, MessageRequest, SendResult } from "./channel.ts";
import { excerpt, PermanentDeliveryError, RetryableDeliveryError } from "./errors.ts";
import type { SecretSource } from "./secret.ts";
import type { UnsubscribedDetail } from "./unsubscribe.ts";

/** What a Nudge template sends as on Alibaba Cloud SMS: the template file's `sms` block, less its parameters. */
export interface SmsTemplateRef {
  templateCode: string;
  signName?: string | undefined;
}

/** What the provider answered, as the SDK attaches it to its error (`error.data`). */
interface ProviderAnswer {
  Code?: unknown;
  Message?: unknown;
  RequestId?: unknown;
}

/** SendSms's request as the SDK takes it. */
export interface SendSmsRequest {
  PhoneNumbers: string;
  SignName: string;
  TemplateCode: string;
  TemplateParam: string;
  OutId: string;
}

/** The SDK's client as this channel uses it (a test's stand-in may take its place). */
export interface SmsClient {
  sendSms(request: SendSmsRequest): Promise<Record<string, unknown>>;
}

/** The channel's AccessKey, as its secret holds it: `{"accessKeyId": "…", "accessKeySecret": "…"}`. */
export interface AlibabaCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** Reads the AccessKey from the secret's text; throws a message that names the fields, never the values. */
export function parseAlibabaCredentials(text: string): AlibabaCredentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const { accessKeyId, accessKeySecret } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof accessKeyId !== "string" ||
    accessKeyId === "" ||
    typeof accessKeySecret !== "string" ||
    accessKeySecret === ""
  ) {
    throw new RetryableDeliveryError(
      'the Alibaba Cloud SMS secret is not {"accessKeyId": "…", "accessKeySecret": "…"}: the channel cannot sign requests',
    );
  }
  return { accessKeyId, accessKeySecret };
}

/**
 * The SDK's client, built once the secret is read (once per container), POSTing (the number stays out of
 * the URL, and so out of the SDK's error messages) with a timeout on connect and read.
 */
export function dysmsapiClient(options: { credentials: SecretSource; endpoint: string; timeoutMs: number }): SmsClient {
  let client: Promise<Dysmsapi> | undefined;
  const ready = () => {
    client ??= options.credentials().then((text) => {
      const { accessKeyId, accessKeySecret } = parseAlibabaCredentials(text);
      return new Dysmsapi({ accessKeyId, accessKeySecret, endpoint: options.endpoint });
    });
    client.catch(() => {
      client = undefined;
    });
    return client;
  };
  return {
    async sendSms(request) {
      const sdk = await ready();
      return sdk.sendSms({ ...request }, { method: "POST", timeout: options.timeoutMs });
    },
  };
}

export interface AlibabaSmsChannelOptions {
  client: SmsClient;
  profiles: ProfileReader;
  /** The `sms` blocks of the template files, by Nudge template id. */
  templates: Readonly<Record<string, SmsTemplateRef>>;
  /** The signature of a template whose block names none. */
  defaultSignName: string;
  /** Publishes a `user.unsubscribed` event; it has been accepted when this resolves. */
  unsubscribe: (detail: UnsubscribedDetail) => Promise<void>;
}

/** This number can never receive it: malformed, or a mainland number on an international template. */
export const INVALID_NUMBER_CODES = new Set(["isv.MOBILE_NUMBER_ILLEGAL", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED"]);

/**
 * The number's owner unsubscribed (replied 退订 / R / TD to the signature): a consent change. Alibaba's
 * published list of API codes names none for it (an unsubscribed number mostly fails in the delivery receipt);
 * isv.CUSTOMER_REFUSED is the code SDK users report for it. Add a code here when the provider documents one.
 */
export const UNSUBSCRIBED_CODES = new Set(["isv.CUSTOMER_REFUSED"]);

/** This message's content or template is refused and would be refused again. */
const REFUSED_CODES = new Set([
  "isv.TEMPLATE_MISSING_PARAMETERS",
  "isv.INVALID_JSON_PARAM",
  "isv.PARAM_LENGTH_LIMIT",
  "isv.PARAM_NOT_SUPPORT_URL",
  "isv.BLACK_KEY_CONTROL_LIMIT",
  "isv.TEMPLATE_PARAMS_ILLEGAL",
  "isv.SMS_CONTENT_ILLEGAL",
  "isv.INVALID_PARAMETERS",
  "isv.MOBILE_COUNT_OVER_LIMIT",
  "isv.SMS_TEMPLATE_ILLEGAL",
  "isv.SMS_SIGNATURE_ILLEGAL",
  "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
  "isv.SMS_SIGN_ILLEGAL",
]);

/** How the deliver function treats a provider's answer code. */
export type SmsOutcome = "retry" | "invalid-number" | "unsubscribed" | "refused";

/**
 * The outcome of an error code SendSms answered. Every other code is retried: flow control
 * (isv.BUSINESS_LIMIT_CONTROL, isv.DAY_LIMIT_CONTROL, isv.MONTH_LIMIT_CONTROL, Throttling.User), the
 * provider's trouble (isp.SYSTEM_ERROR, ServiceUnavailable) and account problems (isv.AMOUNT_NOT_ENOUGH,
 * isp.RAM_PERMISSION_DENY, InvalidAccessKeyId.NotFound); after the queue's receives, a dead letter.
 */
export function smsOutcome(code: string): SmsOutcome {
  if (INVALID_NUMBER_CODES.has(code)) return "invalid-number";
  if (UNSUBSCRIBED_CODES.has(code)) return "unsubscribed";
  return REFUSED_CODES.has(code) ? "refused" : "retry";
}

export class AlibabaSmsChannel implements MessageChannel {
  constructor(private readonly options: AlibabaSmsChannelOptions) {}

  async send(message: MessageRequest): Promise<SendResult> {
    const what = `message ${message.id} (${message.channel})`;
    const stored = await this.options.profiles.getProfile(message.user, { consistent: true });
    const profile = stored?.value;
    if (profile?.phone === undefined || profile.phone === "") return { skipped: "no-address" };
    const needsConsent = message.category === "marketing" || message.consent === "required";
    if (needsConsent && !acceptsMarketing(profile, message.channel)) return { skipped: "unsubscribed" };
    const request = this.requestFor(message, profile.phone, what);
    let answer: Record<string, unknown>;
    try {
      answer = await this.options.client.sendSms(request);
    } catch (error) {
      throw await this.classify(error, message, what);
    }
    // pop-core throws for any Code but OK; an answer without one is not the provider's.
    if (answer.Code !== "OK") throw new RetryableDeliveryError(`${what}: Alibaba Cloud SMS answered no Code OK`);
    return undefined;
  }

  private requestFor(message: MessageRequest, phone: string, what: string): SendSmsRequest {
    const template = this.options.templates[message.template];
    if (template === undefined) {
      throw new PermanentDeliveryError(`${what}: template "${message.template}" has no sms block`, {
        code: "template-not-for-sms",
        response: `template "${message.template}": its file names no Alibaba Cloud SMS templateCode`,
      });
    }
    const params = message.params ?? {};
    const overlong = overlongSmsParams(params);
    if (overlong.length > 0) {
      // The provider would refuse it (isv.PARAM_LENGTH_LIMIT): not sent, and the values stay out of the record.
      throw new PermanentDeliveryError(`${what}: a parameter is too long for Alibaba Cloud SMS`, {
        code: "isv.PARAM_LENGTH_LIMIT",
        response: overlong.join("; "),
      });
    }
    return {
      PhoneNumbers: phone,
      SignName: template.signName ?? this.options.defaultSignName,
      TemplateCode: template.templateCode,
      TemplateParam: JSON.stringify(params),
      OutId: message.id,
    };
  }

  /**
   * A failed SendSms as a delivery error. An unsubscribed number is first made a consent change: when the
   * bus does not take it, the record fails and is retried (the provider answers the same again), so the
   * message never rests in the dead letters without its consent change.
   */
  private async classify(error: unknown, message: MessageRequest, what: string): Promise<Error> {
    const answer = (error as { data?: ProviderAnswer }).data;
    if (typeof answer?.Code !== "string") {
      // The AccessKey not readable, the network, a timeout, or an answer that is not the provider's JSON.
      const reason =
        error instanceof NudgeError ? error.message : `no answer (${error instanceof Error ? error.name : "Error"})`;
      return new RetryableDeliveryError(`${what}: Alibaba Cloud SMS: ${reason}`);
    }
    const code = answer.Code;
    const outcome = smsOutcome(code);
    if (outcome === "retry") {
      // Only the code travels: the provider's message may quote the number (logs carry ids only).
      return new RetryableDeliveryError(`${what}: Alibaba Cloud SMS did not take it (${code})`);
    }
    if (outcome === "unsubscribed") await this.options.unsubscribe({ userId: message.user, channel: message.channel });
    const why =
      outcome === "invalid-number"
        ? "the number is invalid"
        : outcome === "unsubscribed"
          ? "the number unsubscribed"
          : "it refused the message";
    return new PermanentDeliveryError(`${what}: Alibaba Cloud SMS: ${why} (${code})`, {
      code,
      response: excerpt(JSON.stringify({ Code: code, Message: answer.Message, RequestId: answer.RequestId })),
    });
  }
}

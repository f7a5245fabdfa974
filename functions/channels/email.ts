/**
 * The email channel: Amazon SES v2 SendEmail, Simple content (subject, text body, headers).
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 *
 * The address is the user's profile's, read at send time from the table (a consistent read), which is
 * also the last-moment consent check: a marketing email to a user who unsubscribed from email, or from
 * everything (`*`), since the journey decided to send it is skipped, logged and counted, not sent.
 *
 * A marketing email carries RFC 8058 one-click unsubscribe headers: `List-Unsubscribe: <https://…?token=…>`
 * with a signed, expiring token (unsubscribe-token.ts), and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`,
 * so that mail clients show an unsubscribe button that POSTs to the link. SES passes both headers through:
 * https://docs.aws.amazon.com/ses/latest/dg/header-fields.html
 *
 * Outcomes: throttling, 5xx and network errors are retryable; a message SES refuses for good
 * (MessageRejected, BadRequestException: a malformed address...) is permanent.
 */
import { type SESv2Client, SendEmailCommand, type SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import { acceptsMarketing } from "../engine/context.ts";
import type { ProfileReader } from "../runtime/ports.ts";
import { DAY_MS } from "../shared/time.ts";
import type { MessageChannel, MessageRequest, SendResult } from "./channel.ts";
import { excerpt, PermanentDeliveryError, RetryableDeliveryError } from "./errors.ts";
import type { SecretSource } from "./secret.ts";
import { DEFAULT_TOKEN_DAYS, signUnsubscribeToken } from "./unsubscribe-token.ts";

export interface EmailChannelOptions {
  ses: Pick<SESv2Client, "send">;
  profiles: ProfileReader;
  /** The From address (an SES verified identity), e.g. `"Shop" <news@shop.example>`. */
  from: string;
  configurationSet?: string | undefined;
  /** The subject of a message without a title. */
  defaultSubject: string;
  /** The unsubscribe endpoint; the token is added as `?token=`. */
  unsubscribeUrl: string;
  unsubscribeSecret: SecretSource;
  /** How long an unsubscribe link stays good (default 60 days). */
  tokenDays?: number;
  clock?: () => number;
}

/** SES errors that refuse this message for good: sending it again gets the same answer. */
const PERMANENT_ERRORS = new Set(["MessageRejected", "BadRequestException"]);

/** The unsubscribe link for a user and channel, good for `days`. */
export async function unsubscribeLink(
  base: string,
  secret: SecretSource,
  userId: string,
  channel: string,
  expiresAtMs: number,
): Promise<string> {
  const url = new URL(base);
  const token = signUnsubscribeToken(await secret(), {
    userId,
    channel,
    expiresAt: Math.floor(expiresAtMs / 1000),
  });
  url.searchParams.set("token", token);
  return url.toString();
}

/**
 * The From as SES takes it: a display name that is not plain ASCII ("好物商城") in RFC 2047 encoded-word
 * form, which SES requires for the sender name (see FromEmailAddress in the SendEmail reference).
 */
export function sesFromAddress(from: string): string {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  const name = match?.[1] ?? "";
  if (match === null || /^[\x20-\x7e]*$/.test(name)) return from;
  return `=?UTF-8?B?${Buffer.from(name, "utf8").toString("base64")}?= <${match[2]}>`;
}

/** The RFC 8058 headers of a marketing message. */
export function oneClickHeaders(link: string): { Name: string; Value: string }[] {
  return [
    { Name: "List-Unsubscribe", Value: `<${link}>` },
    { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
  ];
}

export class EmailChannel implements MessageChannel {
  private readonly clock: () => number;

  constructor(private readonly options: EmailChannelOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async send(message: MessageRequest): Promise<SendResult> {
    const stored = await this.options.profiles.getProfile(message.user, { consistent: true });
    const profile = stored?.value;
    if (profile?.email === undefined || profile.email === "") return { skipped: "no-address" };
    const needsConsent = message.category === "marketing" || message.consent === "required";
    if (needsConsent && !acceptsMarketing(profile, message.channel)) {
      return { skipped: "unsubscribed" };
    }
    const input: SendEmailCommandInput = {
      FromEmailAddress: sesFromAddress(this.options.from),
      Destination: { ToAddresses: [profile.email] },
      Content: {
        Simple: {
          Subject: { Data: message.title ?? this.options.defaultSubject, Charset: "UTF-8" },
          Body: { Text: { Data: message.text, Charset: "UTF-8" } },
          ...(message.category === "marketing" ? { Headers: oneClickHeaders(await this.linkFor(message)) } : {}),
        },
      },
      ...(this.options.configurationSet === undefined ? {} : { ConfigurationSetName: this.options.configurationSet }),
    };
    try {
      await this.options.ses.send(new SendEmailCommand(input));
    } catch (error) {
      throw classify(error, `message ${message.id} (${message.channel})`);
    }
    return undefined;
  }

  private linkFor(message: MessageRequest): Promise<string> {
    const days = this.options.tokenDays ?? DEFAULT_TOKEN_DAYS;
    const { unsubscribeUrl, unsubscribeSecret } = this.options;
    return unsubscribeLink(
      unsubscribeUrl,
      unsubscribeSecret,
      message.user,
      message.channel,
      this.clock() + days * DAY_MS,
    );
  }
}

/** An SES error as a delivery error: permanent when SES refused this message, retryable otherwise. */
function classify(error: unknown, what: string): Error {
  const name = error instanceof Error ? error.name : "Error";
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (PERMANENT_ERRORS.has(name)) {
    const text = error instanceof Error ? error.message : String(error);
    return new PermanentDeliveryError(`${what}: SES refused it (${name})`, {
      code: name,
      ...(status === undefined ? {} : { status }),
      response: excerpt(text),
    });
  }
  // Throttling (TooManyRequestsException, LimitExceededException), 5xx, the network; and an account or
  // configuration problem (sending paused, an unverified identity) an operator fixes: after the queue's
  // receives the message rests in the dead-letter queue, to be redriven.
  // SES's messages may quote the address: only the error's name and status travel (logs carry ids only).
  const cause = new RetryableDeliveryError(`${name}${status === undefined ? "" : ` (HTTP ${status})`}`);
  return new RetryableDeliveryError(`${what}: SES did not take it (${name})`, { cause });
}

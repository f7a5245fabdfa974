/**
 * The local platform's email: the SES SendEmail request the email channel makes (channels/email.ts),
 * written out as the complete message SES would send (RFC 5322: From, To, Subject, Date, Message-ID, the
 * channel's headers such as List-Unsubscribe, and the body) and appended to an mbox file, which any mail
 * client opens. https://www.rfc-editor.org/rfc/rfc5322
 */
import type { SendEmailCommandInput } from "@aws-sdk/client-sesv2";

/** An RFC 2047 encoded word when the text is not plain ASCII (a Chinese subject). */
function encodeHeader(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

/** The message SES would send for a SendEmail request with Simple content. */
export function renderEmail(input: SendEmailCommandInput, messageId: string, date: Date): string {
  const simple = input.Content?.Simple;
  const body = simple?.Body?.Text?.Data ?? "";
  const headers = [
    `From: ${input.FromEmailAddress ?? ""}`,
    `To: ${(input.Destination?.ToAddresses ?? []).join(", ")}`,
    `Subject: ${encodeHeader(simple?.Subject?.Data ?? "")}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${messageId.replace(/[^A-Za-z0-9.:_-]/g, "-")}@nudge.local>`,
    ...(simple?.Headers ?? []).map((header) => `${header.Name}: ${header.Value}`),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
  ];
  return `${headers.join("\r\n")}\r\n\r\n${body.replace(/\r?\n/g, "\r\n")}\r\n`;
}

/** One mbox entry: the `From ` separator line, the message with `>From ` quoting, a blank line. */
export function mboxEntry(message: string, date: Date): string {
  const quoted = message.replace(/\r\n/g, "\n").replace(/^(>*From )/gm, ">$1");
  return `From nudge@localhost ${date.toUTCString()}\n${quoted}\n`;
}

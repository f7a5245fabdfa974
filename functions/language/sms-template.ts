import * as z from "zod";
import { quote } from "./fields.ts";

/**
 * The `sms` block of a template file: what Alibaba Cloud SMS (阿里云短信服务) sends. A message there is not
 * free text: it is an approved template (`TemplateCode`, e.g. SMS_153055065) whose `${name}` variables the
 * sender fills (`TemplateParam`, a JSON object of strings), under an approved signature (`SignName`).
 * https://help.aliyun.com/document_detail/55284.html (SendSms)
 *
 * The provider's documented rules the block is checked against:
 * - a variable's name: a letter first, then letters, digits and underscores (the console refuses others);
 * - a value: at most 35 characters for a notification or promotion template (the rule since 2018-01-10),
 *   as every character counts one, a Chinese character, a letter, a digit or a space alike;
 *   https://help.aliyun.com/document_detail/2806243.html (variable rules),
 *   https://help.aliyun.com/document_detail/101346.html (isv.PARAM_LENGTH_LIMIT)
 * - values are strings: a number is refused (isv.INVALID_JSON_PARAM), so every value is rendered to text.
 */

/** The most characters a variable's value may have (notification and promotion templates). */
export const SMS_PARAM_MAX_CHARACTERS = 35;

/** A variable name as the provider's template console accepts it. */
export const SMS_PARAM_NAME = /^[A-Za-z][A-Za-z0-9_]{0,24}$/;

/** An Alibaba Cloud SMS template code, e.g. SMS_153055065. */
export const SMS_TEMPLATE_CODE = /^SMS_\d{1,20}$/;

/** Characters as the provider counts them: each code point one (a Chinese character is one, not two). */
export const smsCharacters = (value: string): number => [...value].length;

export const smsBlockSchema = z
  .strictObject({
    templateCode: z
      .string()
      .regex(SMS_TEMPLATE_CODE, {
        error: (issue) =>
          `expected an Alibaba Cloud SMS template code such as "SMS_153055065", got ${quote(issue.input)}`,
      })
      .describe("The approved template's code (短信模板 Code) in the Alibaba Cloud SMS console, e.g. SMS_153055065."),
    signName: z
      .string()
      .min(1)
      .optional()
      .describe("The approved signature (短信签名) to send under; absent: the SMS channel's default."),
    params: z
      .record(z.string(), z.string())
      .superRefine((params, ctx) => {
        for (const name of Object.keys(params)) {
          if (SMS_PARAM_NAME.test(name)) continue;
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `expected a template variable name (a letter, then letters, digits or _; 25 at most), got ${quote(name)}`,
          });
        }
      })
      .default({})
      .describe(
        "The template's variables (${name} in the approved template) by name: each a Liquid text, e.g. {{ coupon.code }}; rendered values may have 35 characters at most.",
      ),
  })
  .describe(
    "How Alibaba Cloud SMS sends this message: the approved template's code, the signature, and its variables' values (Liquid).",
  );

export type SmsBlock = z.output<typeof smsBlockSchema>;

/** The values of a message's parameters the provider would refuse, with why (isv.PARAM_LENGTH_LIMIT). */
export function overlongSmsParams(params: Readonly<Record<string, string>>): string[] {
  return Object.entries(params)
    .filter(([, value]) => smsCharacters(value) > SMS_PARAM_MAX_CHARACTERS)
    .map(([name, value]) => `${name}: ${smsCharacters(value)} characters, ${SMS_PARAM_MAX_CHARACTERS} at most`);
}

/** The channel a template file's `sms` block is for: its parameters are rendered for messages sent on it. */
export const SMS_CHANNEL = "sms";

import * as z from "zod";
import { quote } from "./fields.ts";
import { SMS_PARAM_NAME, SMS_TEMPLATE_CODE } from "./sms-rules.ts";

/** The `sms` block of a template file (the provider's rules: sms-rules.ts). */
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
        "The template's variables (written $\u007Bname} in the approved template) by name: each a Liquid text, e.g. {{ coupon.code }}; rendered values may have 35 characters at most.",
      ),
  })
  .describe(
    "How Alibaba Cloud SMS sends this message: the approved template's code, the signature, and its variables' values (Liquid).",
  );

export type SmsBlock = z.output<typeof smsBlockSchema>;

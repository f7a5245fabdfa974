import * as z from "zod";
import { quote } from "./fields.ts";
import { keywordType, WECHAT_KEYWORD_RULES, WECHAT_PAGE_PARAM, WECHAT_TEMPLATE_ID_PARAM } from "./wechat-rules.ts";

/**
 * The `wechat` block of a template file, as the template file's schema checks it (the rules themselves, which
 * the engine and the channel use too, are in wechat-rules.ts).
 */

export const wechatBlockSchema = z
  .strictObject({
    templateId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, {
        error: (issue) =>
          `expected the template's id from the mini-program's console (订阅消息 > 我的模板), e.g. "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ", got ${quote(issue.input)}`,
      })
      .describe("The subscribe message template's id (template_id), as the mini-program's console shows it."),
    page: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The mini-program page the message opens (Liquid), e.g. pages/order/detail?id={{ trigger.detail.orderId }}.",
      ),
    data: z
      .record(z.string(), z.string())
      .superRefine((data, ctx) => {
        for (const name of Object.keys(data)) {
          if (keywordType(name) !== undefined) continue;
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `expected a WeChat keyword name: a type (${Object.keys(WECHAT_KEYWORD_RULES).join(", ")}) then its number, e.g. "thing1", got ${quote(name)}`,
          });
        }
      })
      .describe(
        "The template's keywords by name (thing1, amount2, date3...): each a Liquid text. The name's prefix is its type, whose rule the rendered value must keep (thing: 20 characters, phrase: 5 Chinese characters, character_string: 32...).",
      ),
  })
  .describe("How WeChat sends this message as a mini-program subscribe message: the template, the page, the keywords.");

export type WechatBlock = z.output<typeof wechatBlockSchema>;

/** The block as the journey's parameters for the channel `wechat`: the keywords, the template id and the page. */
export function wechatParams(block: WechatBlock): Record<string, string> {
  return {
    [WECHAT_TEMPLATE_ID_PARAM]: block.templateId,
    ...(block.page === undefined ? {} : { [WECHAT_PAGE_PARAM]: block.page }),
    ...block.data,
  };
}

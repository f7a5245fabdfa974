/** A value as JSON shows it, in messages (fields.ts has one too, but brings zod with it). */
const quote = (value: unknown): string => JSON.stringify(value);

/**
 * The rules of WeChat subscribe messages, without zod (the engine and the deliver function bundle them): the
 * `wechat` block of a template file: what a WeChat mini-program subscribe message (小程序订阅消息) sends.
 * Such a message is not free text: it fills the keywords of a template the mini-program chose in the
 * WeChat console (`template_id`), each keyword named by its type and position (`thing1`, `amount2`...), and
 * opens a page of the mini-program when tapped (`page`).
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 *
 * The keyword types and their limits, as WeChat documents them (订阅消息参数值内容限制说明): a value that breaks
 * them is refused with errcode 47003 (argument invalid). Each keyword's name is its type followed by a number.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html
 *
 * In the journey the block travels as the template's parameters for the channel `wechat` (journey
 * `templateParams`), with two reserved names beside the keywords: `@templateId` and `@page`.
 */

/** The channel a template file's `wechat` block is for: its keywords are rendered for messages sent on it. */
export const WECHAT_CHANNEL = "wechat";

/** The reserved parameter names the block's template id and page travel under (never a keyword's name). */
export const WECHAT_TEMPLATE_ID_PARAM = "@templateId";
export const WECHAT_PAGE_PARAM = "@page";

/** Why a subscribe message with no one-time grant left is not sent (`message.suppressed` reason). */
export const NO_SUBSCRIPTION_GRANT = "no-subscription-grant";

/** Why a subscribe message whose rendered keyword breaks its type's rule is not sent. */
export const WECHAT_DATA_INVALID = "wechat-data-invalid";

const HAN = /\p{Script=Han}/u;
const ONLY_HAN = /^\p{Script=Han}+$/u;
const characters = (value: string): number => [...value].length;

interface KeywordRule {
  /** The most characters a value may have, when the type counts them. */
  max?: number;
  /** What a value must look like, as WeChat describes the type. */
  check?: (value: string) => boolean;
  /** The rule in words, for problems and suppressions. */
  says: string;
}

/** A date as WeChat takes it: y年m月d日, y年m月, m月d日, or joined by -, / or . (2018-01-01, 01-01), a time optional. */
const DATE_PART = String.raw`(\d{4}年\d{1,2}月(\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?|\d{1,2}[-/.]\d{1,2})`;
const TIME_PART = String.raw`\d{1,2}:\d{2}(:\d{2})?`;
const DATE_VALUE = new RegExp(`^${DATE_PART}( ${TIME_PART})?$`);
const TIME_VALUE = new RegExp(`^(${DATE_PART} )?${TIME_PART}$`);
/** A period is two of them joined by ~. */
const period = (one: RegExp) => (value: string) =>
  value.split("~").every((part, _i, all) => all.length <= 2 && one.test(part.trim()));

/** The keyword types WeChat documents, by their name's prefix. */
export const WECHAT_KEYWORD_RULES: Readonly<Record<string, KeywordRule>> = {
  thing: { max: 20, says: "20 characters at most" },
  number: {
    max: 32,
    check: (v) => /^[-+]?\d+(\.\d+)?$/.test(v),
    says: "a number (digits, a decimal point), 32 at most",
  },
  letter: { max: 32, check: (v) => /^[A-Za-z]+$/.test(v), says: "letters only, 32 at most" },
  symbol: { max: 5, check: (v) => /^[^\p{L}\p{N}\s]+$/u.test(v), says: "symbols only, 5 at most" },
  character_string: {
    max: 32,
    check: (v) => !HAN.test(v) && !/\s/.test(v),
    says: "digits, letters or symbols (no Chinese characters), 32 at most",
  },
  time: {
    check: period(TIME_VALUE),
    says: "a 24-hour time such as 15:01 or 2019年10月1日 15:01 (a period joined by ~)",
  },
  date: {
    check: period(DATE_VALUE),
    says: "a date such as 2019年10月1日 or 2019-10-01, a time optional (a period joined by ~)",
  },
  amount: {
    check: (v) => /^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(v),
    says: "a currency sign and up to 10 digits, decimals allowed, 元 at the end allowed (¥99.00)",
  },
  phone_number: { max: 17, check: (v) => /^[\d+\-() ]+$/.test(v), says: "digits and symbols, 17 at most" },
  car_number: { max: 8, says: "a plate number, 8 characters at most" },
  name: {
    check: (v) => (HAN.test(v) ? characters(v) <= 10 : characters(v) <= 20),
    says: "10 Chinese characters at most, or 20 letters",
  },
  phrase: { max: 5, check: (v) => ONLY_HAN.test(v), says: "Chinese characters only, 5 at most" },
  enum: { says: "one of the template's enumerated values" },
};

/** A keyword's name: a documented type, then digits (`thing1`, `character_string12`). */
const KEYWORD = new RegExp(`^(${Object.keys(WECHAT_KEYWORD_RULES).join("|")})(\\d{1,3})?$`);

/** A keyword's type: the prefix of its name; undefined when no type WeChat documents. */
export function keywordType(name: string): string | undefined {
  return KEYWORD.exec(name)?.[1];
}

/** What is wrong with a keyword's rendered value (empty: nothing). */
export function keywordProblem(name: string, value: string): string | undefined {
  const type = keywordType(name);
  if (type === undefined)
    return `not a WeChat keyword name (${Object.keys(WECHAT_KEYWORD_RULES).join(", ")}, then digits)`;
  const rule = WECHAT_KEYWORD_RULES[type] as KeywordRule;
  if (value.trim() === "") return `empty: a ${type} keyword needs a value (${rule.says})`;
  if (rule.max !== undefined && characters(value) > rule.max)
    return `${characters(value)} characters: a ${type} keyword takes ${rule.says}`;
  if (rule.check !== undefined && !rule.check(value)) return `${quote(value)} is not ${rule.says}`;
  return undefined;
}

/** The first keyword of a message's rendered parameters WeChat would refuse (errcode 47003), with why. */
export function invalidKeyword(
  params: Readonly<Record<string, string>>,
): { name: string; problem: string } | undefined {
  for (const [name, value] of Object.entries(params)) {
    if (name.startsWith("@")) continue;
    const problem = keywordProblem(name, value);
    if (problem !== undefined) return { name, problem };
  }
  return undefined;
}

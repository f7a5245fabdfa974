/**
 * What Alibaba Cloud SMS (阿里云短信服务) sends, and its rules, for a template file's `sms` block and the
 * SMS channel (kept free of zod: the deliver function's bundle reads them). A message there is not free text: it is an approved template (`TemplateCode`, e.g. SMS_153055065) whose `${name}` variables the
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

/** Alibaba Cloud SMS's public endpoint (the China mainland one, for every region). */
export const ALIBABA_SMS_ENDPOINT = "https://dysmsapi.aliyuncs.com";

/** The most characters a variable's value may have (notification and promotion templates). */
export const SMS_PARAM_MAX_CHARACTERS = 35;

/** A variable name as the provider's template console accepts it. */
export const SMS_PARAM_NAME = /^[A-Za-z][A-Za-z0-9_]{0,24}$/;

/** An Alibaba Cloud SMS template code, e.g. SMS_153055065. */
export const SMS_TEMPLATE_CODE = /^SMS_\d{1,20}$/;

/** Characters as the provider counts them: each code point one (a Chinese character is one, not two). */
export const smsCharacters = (value: string): number => [...value].length;

/** The values of a message's parameters the provider would refuse, with why (isv.PARAM_LENGTH_LIMIT). */
export function overlongSmsParams(params: Readonly<Record<string, string>>): string[] {
  return Object.entries(params)
    .filter(([, value]) => smsCharacters(value) > SMS_PARAM_MAX_CHARACTERS)
    .map(([name, value]) => `${name}: ${smsCharacters(value)} characters, ${SMS_PARAM_MAX_CHARACTERS} at most`);
}

/** The channel a template file's `sms` block is for: its parameters are rendered for messages sent on it. */
export const SMS_CHANNEL = "sms";

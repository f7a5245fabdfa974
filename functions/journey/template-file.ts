import * as z from "zod";
import { localeTag, localizedMessage } from "../language/schema.ts";
import { SMS_PARAM_MAX_CHARACTERS, smsCharacters } from "../language/sms-rules.ts";
import { smsBlockSchema } from "../language/sms-template.ts";
import { parseTemplate } from "../language/templates.ts";
import { wechatBlockSchema } from "../language/wechat-template.ts";
import { formatPath, type JourneyProblem, parseJsonText, schemaProblems } from "./problems.ts";
import { wechatProblems } from "./wechat-template-checks.ts";

/**
 * A template file: one message template, `templates/<id>.json` beside the journeys, with its texts per locale.
 * Simplified Chinese comes first (it is the default locale, what a user with no matching locale gets) and
 * English second, so that every file reads the same way; other locales may follow. Graph-free checks live
 * here (JSON, schema, id = file name, Liquid syntax); whether a placeholder can be filled depends on the
 * journey that sends the template, and is checked with it (checks/placeholders.ts).
 */

const quote = (value: unknown): string => JSON.stringify(value);

export const TEMPLATES_DIR = "templates";

export const templateId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    error: (issue) => `expected a kebab-case template id such as "welcome", got ${quote(issue.input)}`,
  })
  .describe("The template's id, equal to the file name without .json; send steps name it in `template`.");

const locales = z
  .record(localeTag, localizedMessage)
  .superRefine((texts, ctx) => {
    const [first, second] = Object.keys(texts);
    if (first !== "zh-CN") {
      ctx.addIssue({
        code: "custom",
        message: `expected "zh-CN" (the default locale) as the first locale, got ${first === undefined ? "none" : quote(first)}`,
      });
    } else if (second !== "en") {
      ctx.addIssue({
        code: "custom",
        message: `expected "en" as the second locale, after "zh-CN", got ${second === undefined ? "none" : quote(second)}`,
      });
    }
  })
  .describe(
    'The texts by locale (BCP-47): "zh-CN" first (the default), "en" second, then any others. The profile\'s locale picks one: the same tag, else the same language (en-GB -> en), else zh-CN.',
  );

export const templateFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: templateId,
    description: z.string().default("").describe("What the message is for, for the people who edit it."),
    locales,
    sms: smsBlockSchema.optional(),
    wechat: wechatBlockSchema.optional(),
  })
  .describe(
    "A Nudge message template: a title (optional) and a body per locale, in Liquid; and, for a provider that sends approved templates (Alibaba Cloud SMS, WeChat subscribe messages), its template and parameters.",
  );

export type TemplateFile = z.output<typeof templateFileSchema>;

/** The Liquid syntax problems of a template's texts: each locale's title and body. */
function liquidProblems(template: TemplateFile, file: string): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  for (const [locale, message] of Object.entries(template.locales)) {
    for (const field of ["title", "body"] as const) {
      const text = message[field];
      if (text === undefined) continue;
      try {
        parseTemplate(text);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        problems.push({
          file,
          path: formatPath(["locales", locale, field]),
          message: `Liquid syntax error: ${reason}`,
        });
      }
    }
  }
  return problems.concat(smsProblems(template, file), wechatProblems(template.wechat, file));
}

/**
 * The problems of the `sms` block's parameters: Liquid syntax, and a value whose fixed text alone is longer
 * than the provider takes (the rendered value is checked again when the message goes: channels/alibaba-sms.ts).
 */
function smsProblems(template: TemplateFile, file: string): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  for (const [name, source] of Object.entries(template.sms?.params ?? {})) {
    const path = formatPath(["sms", "params", name]);
    try {
      parseTemplate(source);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push({ file, path, message: `Liquid syntax error: ${reason}` });
      continue;
    }
    const fixed = source.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, "");
    if (smsCharacters(fixed) > SMS_PARAM_MAX_CHARACTERS) {
      problems.push({
        file,
        path,
        message: `its fixed text alone has ${smsCharacters(fixed)} characters: Alibaba Cloud SMS takes ${SMS_PARAM_MAX_CHARACTERS} at most in a variable (isv.PARAM_LENGTH_LIMIT); put fixed text in the approved template`,
      });
    }
  }
  return problems;
}

/**
 * Parses and checks one template file's text. `expectedId` is the file's name without `.json`: a template
 * is found by its file name, so an id that differs would be a template no send step can reach.
 */
export function parseTemplateFile(
  text: string,
  file: string,
  expectedId: string,
): { template?: TemplateFile; problems: JourneyProblem[] } {
  const json = parseJsonText(text, file);
  if ("problem" in json) return { problems: [json.problem] };
  const result = templateFileSchema.safeParse(json.value, { reportInput: true });
  if (!result.success)
    return { problems: schemaProblems(file, result.error, { schema: templateFileSchema, input: json.value }) };
  const template = result.data;
  const problems = liquidProblems(template, file);
  if (template.id !== expectedId) {
    problems.unshift({
      file,
      path: "id",
      message: `the id ${quote(template.id)} differs from the file name: expected ${quote(expectedId)} (send steps find a template by its file name)`,
    });
  }
  return problems.length === 0 ? { template, problems } : { problems };
}

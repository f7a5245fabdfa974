import { parseTemplate } from "../language/templates.ts";
import { keywordProblem, keywordType, WECHAT_KEYWORD_RULES } from "../language/wechat-rules.ts";
import type { WechatBlock } from "../language/wechat-template.ts";
import { formatPath, type JourneyProblem } from "./problems.ts";

/** A Liquid text's fixed part: what stays whatever the placeholders render to. */
const fixedText = (source: string) => source.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, "");

/** The Liquid syntax error of a text, if any. */
function syntaxError(source: string): string | undefined {
  try {
    parseTemplate(source);
    return undefined;
  } catch (error) {
    return `Liquid syntax error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * What `nudge validate` finds in a template file's `wechat` block: Liquid syntax of the page and keywords;
 * a keyword without placeholders checked against its type's rule as it is; one with placeholders, its fixed
 * text against the type's length (the rendered value is checked again when the message goes, and a value
 * WeChat would refuse suppresses it: steps.ts).
 */
export function wechatProblems(block: WechatBlock | undefined, file: string): JourneyProblem[] {
  if (block === undefined) return [];
  const problems: JourneyProblem[] = [];
  if (block.page !== undefined) {
    const error = syntaxError(block.page);
    if (error !== undefined) problems.push({ file, path: formatPath(["wechat", "page"]), message: error });
  }
  for (const [name, source] of Object.entries(block.data)) {
    const path = formatPath(["wechat", "data", name]);
    const error = syntaxError(source);
    if (error !== undefined) {
      problems.push({ file, path, message: error });
      continue;
    }
    const fixed = fixedText(source);
    if (fixed === source) {
      const problem = keywordProblem(name, source);
      if (problem !== undefined) problems.push({ file, path, message: `WeChat would refuse it (47003): ${problem}` });
      continue;
    }
    const max = WECHAT_KEYWORD_RULES[keywordType(name) ?? ""]?.max;
    if (max !== undefined && [...fixed].length > max) {
      problems.push({
        file,
        path,
        message: `its fixed text alone has ${[...fixed].length} characters: a ${keywordType(name)} keyword takes ${max} at most`,
      });
    }
  }
  return problems;
}

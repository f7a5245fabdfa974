import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Journey } from "../language/schema.ts";
import { SMS_CHANNEL } from "../language/sms-rules.ts";
import { WECHAT_CHANNEL } from "../language/wechat-rules.ts";
import { wechatParams } from "../language/wechat-template.ts";
import type { JourneyProblem } from "./problems.ts";
import { parseTemplateFile, TEMPLATES_DIR, type TemplateFile } from "./template-file.ts";

/**
 * The template files of one journeys folder (`<folder>/templates/*.json`), and how a journey's send steps
 * get theirs. A journey's own `templates` entry wins over a file of the same id (inline templates predate
 * files, and a test journey may carry its texts with it); otherwise the loader copies the file's locales
 * into the journey, so that everything downstream — the engine, the simulator, the bundles the CDK app
 * embeds the validated journeys in — runs one self-contained journey object and never reads a file.
 */

export interface TemplateLibrary {
  /** The templates folder, named relative to the working folder. */
  readonly dir: string;
  /** The templates that passed their checks, by id. */
  readonly templates: ReadonlyMap<string, { file: string; template: TemplateFile }>;
  /** Template files that failed their checks, by the id their file name gives them. */
  readonly broken: ReadonlyMap<string, string>;
  readonly problems: readonly JourneyProblem[];
}

/** The templates folder beside a journey file (both absolute, or both relative). */
export function templatesDirOf(journeyFile: string): string {
  return join(journeyFile, "..", TEMPLATES_DIR);
}

/** Builds a library from file names and texts; `dir` names the folder in problems. */
export function templateLibrary(dir: string, files: readonly { name: string; text: string }[]): TemplateLibrary {
  const templates = new Map<string, { file: string; template: TemplateFile }>();
  const broken = new Map<string, string>();
  const problems: JourneyProblem[] = [];
  for (const { name, text } of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const file = join(dir, name);
    const id = name.slice(0, -".json".length);
    const parsed = parseTemplateFile(text, file, id);
    problems.push(...parsed.problems);
    if (parsed.template === undefined) broken.set(id, file);
    else templates.set(id, { file, template: parsed.template });
  }
  return { dir, templates, broken, problems };
}

/** Whether a folder entry is a template file: JSON, and not a generated JSON Schema. */
export function isTemplateFileName(name: string): boolean {
  return name.endsWith(".json") && !name.endsWith(".schema.json");
}

/**
 * A template file's provider parameters by the channel they are for: its `sms` block's, for the channel
 * `sms`. The provider's template code and signature stay in the file: the channel reads them by template id.
 */
function channelParams(template: TemplateFile): Record<string, Record<string, string>> | undefined {
  const byChannel: Record<string, Record<string, string>> = {};
  if (template.sms !== undefined) byChannel[SMS_CHANNEL] = template.sms.params;
  // The WeChat template id and page travel with the keywords, under reserved names (wechat-template.ts).
  if (template.wechat !== undefined) byChannel[WECHAT_CHANNEL] = wechatParams(template.wechat);
  return Object.keys(byChannel).length === 0 ? undefined : byChannel;
}

/**
 * What the SMS channel sends each template as on Alibaba Cloud SMS: the `sms` blocks of the library's
 * template files, less their parameters (those the engine renders into each message), by template id.
 */
export function smsTemplateRefs(library: TemplateLibrary): Record<string, { templateCode: string; signName?: string }> {
  const refs: Record<string, { templateCode: string; signName?: string }> = {};
  for (const [id, { template }] of library.templates) {
    if (template.sms === undefined) continue;
    const { templateCode, signName } = template.sms;
    refs[id] = signName === undefined ? { templateCode } : { templateCode, signName };
  }
  return refs;
}

/** Reads the templates folder at `path` (absolute); a folder that does not exist is an empty library. */
export async function readTemplateLibrary(path: string, cwd: string): Promise<TemplateLibrary> {
  const dir = relative(cwd, path) || path;
  let names: string[];
  try {
    names = (await readdir(path)).filter(isTemplateFileName);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return templateLibrary(dir, []);
    return {
      ...templateLibrary(dir, []),
      problems: [{ file: dir, path: "", message: `cannot read: ${code ?? error}` }],
    };
  }
  const files = await Promise.all(
    names.map(async (name) => ({ name, text: await readFile(join(path, name), "utf8") })),
  );
  return templateLibrary(dir, files);
}

/**
 * The journey with the file templates its send steps use copied into its `templates`, and which ids came
 * from which file. An id found nowhere is left for validation to report (checks/placeholders.ts).
 */
export function resolveTemplates(
  journey: Journey,
  library: TemplateLibrary,
): { journey: Journey; templateFiles: Record<string, string> } {
  const templateFiles: Record<string, string> = {};
  const templates = { ...journey.templates };
  const templateParams = { ...journey.templateParams };
  for (const step of journey.steps) {
    if (step.type !== "send" || Object.hasOwn(journey.templates, step.template)) continue;
    const found = library.templates.get(step.template);
    if (found === undefined) continue;
    templates[step.template] = found.template.locales;
    templateFiles[step.template] = found.file;
    const params = channelParams(found.template);
    if (params !== undefined) templateParams[step.template] = params;
  }
  if (Object.keys(templateFiles).length === 0) return { journey, templateFiles };
  const withParams = Object.keys(templateParams).length === 0 ? {} : { templateParams };
  return { journey: { ...journey, templates, ...withParams }, templateFiles };
}

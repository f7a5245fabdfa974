/**
 * The generated sections of the docs: text between `<!-- <name>:start -->` and `<!-- <name>:end -->` in a page,
 * made by a `nudge` command. `npm run docs -- --write` rewrites every section from its command's output;
 * `npm run docs` (or `--check`) lists the sections that drifted and exits 1. test/docs-generated.test.ts fails,
 * naming the write command, when a section and its command's output differ.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CliIo } from "../functions/cli/io.ts";
import { main } from "../functions/cli/main.ts";

/** The repository's root: where the commands run and the pages are. */
export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** What to run when a generated section drifted. */
export const WRITE_COMMAND = "npm run docs -- --write";

export interface GeneratedSection {
  /** The page, relative to the root. */
  readonly file: string;
  /** The markers' name: `<!-- <name>:start -->` ... `<!-- <name>:end -->`. */
  readonly name: string;
  /** The `nudge` command whose output the section holds. */
  readonly command: readonly string[];
  /** The section's text from the command's output. */
  readonly render: (output: string) => string;
}

const PREVIEW = ["preview", "new-user-coupon", "send-welcome", "--user", "events/examples/profile.en-GB.json"];

export const GENERATED_SECTIONS: readonly GeneratedSection[] = [
  { file: "docs/journeys.md", name: "journeys", command: ["graph", "--all"], render: (output) => output },
  {
    file: "docs/templates.md",
    name: "preview",
    command: PREVIEW,
    render: (output) => ["```text", `$ npx nudge ${PREVIEW.join(" ")}`, output, "```"].join("\n"),
  },
];

/** Runs the section's command in process, from the root, and renders its output; throws if the command fails. */
export async function generate(section: GeneratedSection): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { cwd: ROOT, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
  const code = await main([...section.command], io);
  if (code !== 0) {
    throw new Error(`\`npx nudge ${section.command.join(" ")}\` exited ${code}: ${err.join("\n")}`);
  }
  return section.render(out.join("\n").trim());
}

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** The section's text as the page shows it (trimmed), or undefined when the page lacks its markers. */
export function shown(page: string, name: string): string | undefined {
  const { start, end } = markers(name);
  const from = page.indexOf(start);
  const to = page.indexOf(end, from);
  if (from < 0 || to < 0) return undefined;
  return page.slice(from + start.length, to).trim();
}

/** The page with the section's text replaced by `content`; throws when the page lacks its markers. */
export function replaceSection(page: string, name: string, content: string): string {
  const { start, end } = markers(name);
  const from = page.indexOf(start);
  const to = page.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`no ${start} ... ${end} markers`);
  return `${page.slice(0, from + start.length)}\n${content}\n${page.slice(to)}`;
}

/** Rewrites (write) or checks every generated section; returns the sections that differed, as `file (name)`. */
export async function updateDocs(write: boolean): Promise<string[]> {
  const drifted: string[] = [];
  for (const section of GENERATED_SECTIONS) {
    const path = join(ROOT, section.file);
    const page = await readFile(path, "utf8");
    const content = await generate(section);
    if (shown(page, section.name) === content) continue;
    drifted.push(`${section.file} (${section.name}: npx nudge ${section.command.join(" ")})`);
    if (write) await writeFile(path, replaceSection(page, section.name, content));
  }
  return drifted;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const write = args.includes("--write");
  if (args.some((arg) => arg !== "--write" && arg !== "--check")) {
    process.stderr.write("usage: npm run docs [-- --check | --write]\n");
    process.exit(2);
  }
  const drifted = await updateDocs(write);
  for (const entry of drifted) process.stdout.write(`${write ? "rewrote" : "out of date"}: ${entry}\n`);
  if (drifted.length === 0) process.stdout.write("Every generated section is up to date.\n");
  else if (!write) process.stdout.write(`Run \`${WRITE_COMMAND}\`.\n`);
  process.exit(!write && drifted.length > 0 ? 1 : 0);
}

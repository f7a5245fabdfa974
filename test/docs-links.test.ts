import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./cli/capture-io.ts";

/** The files git tracks: the pages to check, and the paths a page may name. */
const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n");

/** The pages of docs/. */
const DOCS = readdirSync(join(root, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);

/** The pages whose links are checked: the README, every page of docs/, and the READMEs of the source folders. */
const PAGES = [
  "README.md",
  ...DOCS,
  ...tracked.filter((file) => /^(functions|events|lib|bench|test)\/(.*\/)?README\.md$/.test(file)),
];

function read(page: string): string {
  return readFileSync(join(root, page), "utf8");
}

/** The page's text outside fenced code blocks, with inline code spans removed. */
function prose(text: string): string {
  return text
    .replace(/^```[\s\S]*?^```/gm, "")
    .split("\n")
    .map((line) => line.replace(/`[^`]*`/g, "``"))
    .join("\n");
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings (a repeated one gets -1, -2 as on GitHub). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const text = readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "");
  for (const match of text.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = slug(match[1] ?? "");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Every relative link of a page: `[text](target)` outside code, not http(s) or mailto. */
function links(page: string): string[] {
  return [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? "")
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe("README.md", () => {
  it("is at most 200 lines", () => {
    // Assess
    expect(read("README.md").split("\n").length - 1).toBeLessThanOrEqual(200);
  });

  it("gives `npm ci && npm start` and `npm test` as its first commands", () => {
    // Prepare
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(read("README.md"))?.[1] ?? "";
    // Assess
    expect(firstBlock.split("\n").map((line) => line.split("#")[0]?.trim())).toEqual([
      "npm ci && npm start",
      "npm test",
      "",
    ]);
  });

  it("links every page of docs/", () => {
    // Prepare
    const linked = new Set(links("README.md").map((target) => target.split("#")[0]));
    // Assess
    expect(DOCS.filter((page) => !linked.has(page))).toEqual([]);
  });
});

/** The sections of the README before it was split (issue 14): each must stay one click from the README. */
const FORMER_README_SECTIONS = [
  "The journeys as diagrams",
  "Commands",
  "The journey language",
  "Fields",
  "Steps",
  "Conditions: Amazon EventBridge event patterns",
  "Templates",
  "The event catalog",
  "The simulator's output contract",
  "Run it on this machine",
  "`npm run demo`",
  "Local benchmark",
  "Reading the report",
  "Deploy to AWS",
  "Deploying",
  "Publishing events",
  "Changing a journey",
  "Dead-letter queues",
  "Replaying the archive",
  "Logs, metrics and alarms",
  "Operating journeys",
  "Messaging policies",
  "The platform's file: `journeys/policy.json`",
  "The decision, in order",
  "What each journey does when held back",
  "`nudge why <userId>`",
  "Channels",
  "Rate limits",
  "Retries, backoff and dead letters",
  "The webhook contract",
  "Email (Amazon SES v2) and one-click unsubscribe",
  "Configuration",
  "Benchmarks",
  "On DynamoDB",
  "What a million steps cost on AWS",
  "A big sale",
  "Lambda bundles",
  "How it is built",
];

describe("the sections the README once held", () => {
  it.each(FORMER_README_SECTIONS)("%s: a page the README links has it", (title) => {
    // Prepare: the pages the README links (its link's anchor, if any, must be this section's).
    const wanted = slug(title);
    const found = links("README.md").filter((target) => {
      const [path = "", anchor] = target.split("#");
      const file = join(root, path);
      return (
        existsSync(file) &&
        file.endsWith(".md") &&
        (anchor === undefined || anchor === wanted) &&
        anchors(file).has(wanted)
      );
    });
    // Assess
    expect(found.length, `no link in README.md reaches a page with the heading "${title}"`).toBeGreaterThan(0);
  });
});

describe("the links of README.md, docs/ and the source folders' READMEs", () => {
  it.each(PAGES)("%s: every relative link resolves to a file (and heading) in the repository", (page) => {
    // Prepare
    const broken: string[] = [];
    // Act
    for (const target of links(page)) {
      const [path = "", anchor] = target.split("#");
      const file = path === "" ? join(root, page) : resolve(root, dirname(page), decodeURI(path));
      if (relative(root, file).startsWith("..")) broken.push(`${target}: outside the repository`);
      else if (!existsSync(file)) broken.push(`${target}: no such file`);
      else if (anchor !== undefined && statSync(file).isFile() && file.endsWith(".md") && !anchors(file).has(anchor)) {
        broken.push(`${target}: no heading with that anchor`);
      }
    }
    // Assess
    expect(broken).toEqual([]);
  });

  it.each(PAGES)("%s: names no path outside the repository", (page) => {
    // Prepare: a path that climbs with ../ (in code, where no link checks it) must still name a tracked file once the
    // climb is dropped (`../template.schema.json` seen from journeys/templates/); and no absolute path of a machine.
    const text = read(page);
    const outside: string[] = [];
    // Act
    for (const match of text.matchAll(/(?:\.\.\/)+([\w.-]+(?:\/[\w.-]+)*)/g)) {
      const rest = match[1] ?? "";
      const inLink = text.slice(Math.max(0, (match.index ?? 0) - 2), match.index).endsWith("(");
      if (
        !inLink &&
        !tracked.some((file) => file === rest || file.endsWith(`/${rest}`) || file.startsWith(`${rest}/`))
      ) {
        outside.push(match[0]);
      }
    }
    for (const match of text.matchAll(/(?:^|[\s`'"(])(\/(?:work|home|root|tmp)\/[^\s`'")]*)/gm))
      outside.push(match[1] ?? "");
    // Assess
    expect(outside).toEqual([]);
  });
});

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/**
 * The layers, lowest first (docs/architecture.md explains each room). A file may import from its own layer
 * and from the layers below it, never from one above; and no chain of imports, type-only ones included,
 * may lead back to the file it starts from. bench/, bin/ and test/ stand outside: they may import anything.
 */
export const LAYERS = [
  "functions/shared",
  "events",
  "functions/language",
  "functions/engine",
  "functions/runtime",
  "functions/store",
  "functions/journey",
  "functions/reports",
  "functions/channels",
  "functions/handlers",
  "functions/simulator",
  "functions/local",
  "functions/cli",
  "lib",
] as const;

/** One source file: its path from the repository root and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** An import the layering forbids, or a cycle, said in one line. */
export type Finding = string;

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(?:[^"'`;]*?\sfrom\s*)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** The layer a path is in (its index in LAYERS), or undefined when it is in none. */
export function layerOf(path: string): number | undefined {
  const index = LAYERS.findIndex((folder) => path === folder || path.startsWith(`${folder}/`));
  return index < 0 ? undefined : index;
}

/** The repository files a file imports by relative path, resolved from the repository root. */
export function importsOf(file: SourceFile): string[] {
  const found: string[] = [];
  for (const match of file.text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (spec !== undefined) found.push(normalize(join(dirname(file.path), spec)));
  }
  return found;
}

/** Every import that goes up a layer or leaves the layers, and every cycle among the files. */
export function checkArchitecture(files: readonly SourceFile[]): Finding[] {
  const findings: Finding[] = [];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const from = layerOf(file.path);
    if (from === undefined) {
      findings.push(`${file.path}: in no layer (add its folder to docs/architecture.md and LAYERS)`);
      continue;
    }
    const targets = importsOf(file);
    graph.set(file.path, targets);
    for (const target of targets) {
      const to = layerOf(target);
      if (to === undefined) findings.push(`${file.path} imports ${target}, which is in no layer`);
      else if (to > from)
        findings.push(`${file.path} (${LAYERS[from]}) imports ${target} (${LAYERS[to]}), a layer above`);
    }
  }
  for (const cycle of cyclesOf(graph)) findings.push(`cycle: ${[...cycle, cycle[0]].join(" -> ")}`);
  return findings;
}

/** The strongly connected components of more than one file (Tarjan), each as a list of files. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.push(top);
      if (top === node) break;
    }
    if (component.length > 1) cycles.push(component.reverse());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** The TypeScript sources under the layered folders, read from the repository at `root`. */
export function readSources(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (/\.m?ts$/.test(name) && !name.endsWith(".d.ts") && !name.endsWith(".d.mts"))
        files.push({ path, text: readFileSync(join(root, path), "utf8") });
    }
  };
  for (const top of ["functions", "events", "lib"]) walk(top);
  return files;
}

/**
 * `npx tsx bench/runtime-pair.ts <other checkout> [pairs]`: this checkout's runtime over the MemoryStore against
 * another checkout's, in one process, passes taking turns (which goes first alternates), and the median of the
 * pairs' ratios. Two revisions' runtimes a few percent apart cannot be told apart by runs minutes apart on a
 * noisy machine; a pair shares the machine's moment. The other checkout shares this one's node_modules:
 *
 *   other=$(mktemp -d) && git worktree add "$other" <rev> && ln -s "$PWD/node_modules" "$other/node_modules"
 *   npx tsx bench/runtime-pair.ts "$other" 9
 *
 * Each side runs its own code on the same prepared stream (20,000 users over 60 days, seed 1, this checkout's
 * journeys), as part 1b of `npm run bench`. The first pair warms both up and is left out of the median.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { journeyFilesIn, loadJourneyFiles } from "../functions/journey/load.ts";
import { median, prepareStream, type runRuntime } from "./engine-steps.ts";

type RunRuntime = typeof runRuntime;

const [otherDir, pairsText = "9"] = process.argv.slice(2);
const pairs = Number(pairsText);
if (otherDir === undefined || !Number.isInteger(pairs) || pairs < 2) {
  console.error("usage: npx tsx bench/runtime-pair.ts <other checkout> [pairs, at least 2]");
  process.exit(2);
}

const root = fileURLToPath(new URL("..", import.meta.url));
const loaded = await loadJourneyFiles(await journeyFilesIn(join(root, "journeys")), root);
const journeys = loaded.journeys.map((loadedJourney) => loadedJourney.journey);
const start = "2026-10-01T00:00:00Z";
const until = Date.parse(start) + 60 * 86_400_000;
const { events } = prepareStream({ users: 20_000, days: 60, start, seed: 1 });
const here: RunRuntime = (await import("./engine-steps.ts")).runRuntime;
const other: RunRuntime = (await import(resolve(otherDir, "bench/engine-steps.ts"))).runRuntime;

const ratios: number[] = [];
for (let pair = 0; pair < pairs; pair++) {
  const hereFirst = pair % 2 === 1;
  const first = await (hereFirst ? here : other)(journeys, events, until);
  const second = await (hereFirst ? other : here)(journeys, events, until);
  const [hereMs, otherMs] = hereFirst ? [first.ms, second.ms] : [second.ms, first.ms];
  if (pair > 0) ratios.push(hereMs / otherMs);
  console.log(`pair ${pair + 1}: here ${Math.round(hereMs)} ms, ${otherDir} ${Math.round(otherMs)} ms`);
}
console.log(
  `this checkout's runtime takes ${median(ratios).toFixed(3)} of the other's time (median of ${ratios.length} pairs)`,
);

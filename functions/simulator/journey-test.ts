import { parseEvent, type ShopEvent } from "../../events/catalog.ts";
import type { PolicyConfig } from "../engine/policies/config.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import type { Expectation, GivenEvent, JourneyTestFile, TestCase } from "../journey/test-file.ts";
import type { Journey } from "../language/schema.ts";
import { parseDuration } from "../shared/time.ts";
import { isJourneyLine, type JourneyLine } from "./lines.ts";
import { simulate } from "./simulate.ts";

/**
 * One journey test file run on the virtual clock (`nudge test`, functions/journey/test-file.ts): each case in a
 * fresh simulation of every journey of the folder, its lines matched against what the case expects. What a
 * case shows is a timeline: the expected lines beside the actual ones, each row marked.
 */

/** How far from its `at` an expected line may be when the test does not say. */
export const DEFAULT_WITHIN_MS = 60_000;

/** The journeys and platform files a test runs with, as `nudge simulate` loads them. */
export interface TestPlatform {
  journeys: readonly Journey[];
  policies?: PolicyConfig;
  traits?: TraitsFile;
}

/**
 * A row of a case's timeline: an expectation and the line that met it (`met`), an expectation no line met
 * (`missing`), a line a `never` forbids (`unexpected`), or a line of the journey nothing asserted (`seen`).
 */
export type TimelineRow =
  | { mark: "met"; offsetMs: number; expected: Expectation; actual: JourneyLine }
  | { mark: "missing"; offsetMs: number | undefined; expected: Expectation }
  | { mark: "unexpected"; offsetMs: number; expected: Expectation; actual: JourneyLine }
  | { mark: "seen"; offsetMs: number; actual: JourneyLine };

export interface CaseResult {
  name: string;
  passed: boolean;
  timeline: TimelineRow[];
  /** Events of the case the catalog refuses, or that name a coupon never issued: what and where. */
  problems: string[];
}

export interface TestFileResult {
  journey: string;
  cases: CaseResult[];
}

export async function runJourneyTest(test: JourneyTestFile, platform: TestPlatform): Promise<TestFileResult> {
  const cases: CaseResult[] = [];
  for (const index of test.cases.keys()) cases.push(await runCase(test, index, platform));
  return { journey: test.journey, cases };
}

async function runCase(test: JourneyTestFile, index: number, platform: TestPlatform): Promise<CaseResult> {
  const testCase = test.cases[index] as TestCase;
  const start = Date.parse(test.start);
  const where = `cases[${index}]`;
  const { lines, problems } = await simulateCase({ testCase, start, where, platform });
  if (problems.length > 0) return { name: testCase.name, passed: false, timeline: [], problems };
  const timeline = compare({ lines, testCase, start, journey: test.journey });
  const passed = timeline.every((row) => row.mark === "met" || row.mark === "seen");
  return { name: testCase.name, passed, timeline, problems };
}

const offsetOf = (text: string) => parseDuration(text) ?? 0;

/**
 * The case's simulation. An event that names `"$coupon"` needs a coupon the journeys issue first, whose id only
 * a run tells: the case runs without such events, takes the ids from its lines, and runs again with them, until
 * every event is resolved (the simulation is deterministic: the later events change nothing before them).
 */
async function simulateCase(args: { testCase: TestCase; start: number; where: string; platform: TestPlatform }) {
  const { testCase, start, where, platform } = args;
  const pending = new Map<number, GivenEvent>(testCase.given.entries());
  const resolved = new Map<number, ShopEvent>();
  const problems: string[] = [];
  const until = testCase.until === undefined ? undefined : start + offsetOf(testCase.until);
  // Before any run no coupon is known: the events that name none resolve at once, the rest after the runs.
  let lines: JourneyLine[] = [];
  let simulated = false;
  for (;;) {
    let progressed = false;
    for (const [i, given] of pending) {
      const at = start + offsetOf(given.at);
      const detail = withCoupon(given, couponsBefore(lines, given.user, at));
      if (detail === undefined) continue;
      const parsed = parseEvent(envelope({ given, detail, at, id: given.id ?? `test-${where}-${i}` }));
      if (parsed.ok) resolved.set(i, parsed.event);
      else problems.push(...parsed.error.problems.map((p) => `${where}.given[${i}].${p.path}: ${p.message}`));
      pending.delete(i);
      progressed = true;
    }
    if (problems.length > 0) return { lines, problems };
    if (simulated && !progressed && pending.size > 0) {
      for (const [i, given] of pending)
        problems.push(
          `${where}.given[${i}]: "$coupon": no coupon issued to ${given.user ?? "nobody"} before ${given.at}`,
        );
      return { lines, problems };
    }
    lines = await simulateEvents([...resolved.values()], { platform, until });
    simulated = true;
    if (pending.size === 0) return { lines, problems };
  }
}

async function simulateEvents(
  events: readonly ShopEvent[],
  options: { platform: TestPlatform; until: number | undefined },
): Promise<JourneyLine[]> {
  const { platform, until } = options;
  const sorted = [...events].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const lines: JourneyLine[] = [];
  await simulate({
    journeys: platform.journeys,
    events: sorted,
    ...(until === undefined ? {} : { until }),
    ...(platform.policies === undefined ? {} : { policies: platform.policies }),
    ...(platform.traits === undefined ? {} : { traits: platform.traits }),
    onLine: (line) => {
      if (isJourneyLine(line)) lines.push(line);
    },
  });
  return lines;
}

/** The coupon ids issued to a user before an instant, oldest first. */
function couponsBefore(lines: readonly JourneyLine[], user: string | undefined, at: number): string[] {
  const ids: string[] = [];
  for (const line of lines) {
    if (line.type !== "coupon.issued" || line.user !== user || Date.parse(line.at) >= at) continue;
    const coupon = line.coupon as { couponId?: unknown } | undefined;
    if (typeof coupon?.couponId === "string") ids.push(coupon.couponId);
  }
  return ids;
}

/** The event's detail with `"$coupon"` replaced by the user's last coupon; undefined while there is none. */
function withCoupon(given: GivenEvent, coupons: readonly string[]): Record<string, unknown> | undefined {
  const detail: Record<string, unknown> = given.user === undefined ? {} : { userId: given.user };
  for (const [name, value] of Object.entries(given.detail)) {
    if (value !== "$coupon") detail[name] = value;
    else if (coupons.length === 0) return undefined;
    else detail[name] = coupons[coupons.length - 1];
  }
  return detail;
}

function envelope(args: { given: GivenEvent; detail: Record<string, unknown>; at: number; id: string }) {
  return {
    version: "0",
    id: args.id,
    "detail-type": args.given.type,
    source: "shop",
    account: "000000000000",
    time: new Date(args.at).toISOString().replace(".000Z", "Z"),
    region: "cn-north-1",
    resources: [],
    detail: args.detail,
  };
}

/** What an expectation can say of a line, read from the line (docs/simulator.md). */
export function factsOf(line: JourneyLine) {
  const event = line.event;
  const coupon = line.coupon as { amountOff?: unknown } | undefined;
  return {
    type: line.type,
    user: line.user,
    journey: line.journey,
    channel: line.channel,
    template: line.template,
    reason: line.reason,
    rule: line.rule,
    event: typeof event === "object" && event !== null ? (event as Record<string, unknown>)["detail-type"] : event,
    amountOff: coupon?.amountOff ?? line.amountOff,
    text: `${line.title ?? ""}\n${line.text ?? ""}`,
  };
}

const MATCHED_FIELDS = ["type", "user", "channel", "template", "reason", "rule", "event", "amountOff"] as const;

/** Whether a line is one an expectation describes, whatever its time. */
function describes(expected: Expectation, line: JourneyLine, journey: string): boolean {
  const facts = factsOf(line);
  if (facts.journey !== (expected.journey ?? journey)) return false;
  for (const field of MATCHED_FIELDS) {
    if (expected[field] !== undefined && expected[field] !== facts[field]) return false;
  }
  return expected.contains === undefined || facts.text.includes(expected.contains);
}

function inTime(expected: Expectation, offsetMs: number): boolean {
  if (expected.at === undefined) return true;
  const within = expected.within === undefined ? DEFAULT_WITHIN_MS : offsetOf(expected.within);
  return Math.abs(offsetMs - offsetOf(expected.at)) <= within;
}

function compare(args: { lines: readonly JourneyLine[]; testCase: TestCase; start: number; journey: string }) {
  const { lines, testCase, start, journey } = args;
  const offsets = lines.map((line) => Date.parse(line.at) - start);
  const taken = new Set<number>();
  const rows: TimelineRow[] = [];
  for (const expected of testCase.expect) {
    // The closest line in time that is free: the expectations are met one line each.
    let best: number | undefined;
    lines.forEach((line, i) => {
      if (taken.has(i) || !inTime(expected, offsets[i] as number) || !describes(expected, line, journey)) return;
      const distance = (at: number) => Math.abs(at - offsetOf(expected.at ?? "PT0S"));
      if (best === undefined || distance(offsets[i] as number) < distance(offsets[best] as number)) best = i;
    });
    if (best === undefined) {
      rows.push({ mark: "missing", offsetMs: expected.at === undefined ? undefined : offsetOf(expected.at), expected });
    } else {
      taken.add(best);
      rows.push({ mark: "met", offsetMs: offsets[best] as number, expected, actual: lines[best] as JourneyLine });
    }
  }
  const journeys = new Set([journey, ...testCase.expect.map((e) => e.journey ?? journey)]);
  lines.forEach((line, i) => {
    if (taken.has(i)) return;
    const forbidden = testCase.never.find(
      (expected) => inTime(expected, offsets[i] as number) && describes(expected, line, journey),
    );
    const offsetMs = offsets[i] as number;
    if (forbidden !== undefined) rows.push({ mark: "unexpected", offsetMs, expected: forbidden, actual: line });
    else if (journeys.has(line.journey)) rows.push({ mark: "seen", offsetMs, actual: line });
  });
  // In time order, lines as they happened; a missing line after the lines of its time, or last with no time.
  const lineIndex = new Map(lines.map((line, i) => [line, i]));
  const order = (row: TimelineRow) => (row.mark === "missing" ? Infinity : (lineIndex.get(row.actual) ?? Infinity));
  return rows.sort((a, b) => (a.offsetMs ?? Infinity) - (b.offsetMs ?? Infinity) || order(a) - order(b));
}

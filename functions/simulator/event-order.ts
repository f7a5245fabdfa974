import { parseEventJson, type ShopEvent } from "../../events/catalog.ts";
import { hash53 } from "../shared/hash.ts";

/**
 * An event file's lines as the simulator runs them: in time order, equal times in file order (a stable
 * sort). A file of 100,000 users' events parsed whole is ~170 MiB of objects; read twice instead (once to
 * check the lines and find the few out of time order, once to parse each as its turn comes), only those
 * few are held.
 */

export interface InvalidInput {
  line: number;
  eventId: string | undefined;
  message: string;
}

export interface OrderedEvents {
  /** The invalid lines, in file order (each reported to `onInvalid` before any event is run). */
  invalid: InvalidInput[];
  /** The latest event time (epoch ms); undefined when there is no event. */
  last: number | undefined;
  /** The events in time order; to be iterated once. */
  events: Iterable<ShopEvent>;
}

/** Parses every line and sorts the events by time (stable): all of them in memory at once. */
export function parseEventLines(lines: Iterable<string>, onInvalid?: (invalid: InvalidInput) => void) {
  const events: ShopEvent[] = [];
  const invalid: InvalidInput[] = [];
  let line = 0;
  for (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    const parsed = parseEventJson(text);
    if (parsed.ok) {
      events.push(parsed.event);
    } else {
      const problem = { line, eventId: parsed.error.eventId, message: parsed.error.message };
      invalid.push(problem);
      onInvalid?.(problem);
    }
  }
  // A stable sort: events with the same time keep their file order.
  events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return { events, invalid };
}

/**
 * The events of `lines` in time order. Lines that can be read again (an array, fileLines) are read twice
 * and only the events out of time order are kept; an iterator that reads once is parsed whole.
 */
export function orderEventLines(lines: Iterable<string>, onInvalid?: (invalid: InvalidInput) => void): OrderedEvents {
  // An iterator is its own iterable: what it yields is gone once read.
  if ((lines[Symbol.iterator]() as unknown) === lines) {
    const { events, invalid } = parseEventLines(lines, onInvalid);
    const last = events.at(-1);
    return { invalid, last: last === undefined ? undefined : Date.parse(last.time), events: lettingGo(events) };
  }
  const plan = planOrder(lines, onInvalid);
  return { invalid: plan.invalid, last: plan.last, events: inTimeOrder(lines, plan) };
}

/** An event out of time order: earlier than one before it in the file. */
type Early = { event: ShopEvent; time: number; line: number };

interface OrderPlan {
  invalid: InvalidInput[];
  last: number | undefined;
  /** The lines (1-based) of the events in time order as they stand, ascending. */
  inOrder: number[];
  /**
   * Per entry of inOrder: the hash of a line that is its event as checked, written as JSON (see
   * canonicalHash), or NaN. The second reading parses such a line with JSON.parse alone.
   */
  canonical: number[];
  /** The others, sorted by time, then line. */
  early: (Early | undefined)[];
}

/** The first reading: every line checked, and the events out of time order kept. */
function planOrder(lines: Iterable<string>, onInvalid?: (invalid: InvalidInput) => void): OrderPlan {
  const plan: OrderPlan = { invalid: [], last: undefined, inOrder: [], canonical: [], early: [] };
  let line = 0;
  let latest = Number.NEGATIVE_INFINITY;
  const early: Early[] = [];
  for (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    const parsed = parseEventJson(text);
    if (!parsed.ok) {
      const problem = { line, eventId: parsed.error.eventId, message: parsed.error.message };
      plan.invalid.push(problem);
      onInvalid?.(problem);
      continue;
    }
    const time = Date.parse(parsed.event.time);
    if (time < latest) {
      early.push({ event: parsed.event, time, line });
    } else {
      latest = time;
      plan.inOrder.push(line);
      plan.canonical.push(canonicalHash(text, parsed.event));
    }
  }
  // Pushed in line order, so a stable sort by time orders equal times by line.
  plan.early = early.sort((a, b) => a.time - b.time);
  plan.last = Number.isFinite(latest) ? latest : undefined;
  return plan;
}

/**
 * The line's hash when the line is exactly its checked event written as JSON (JSON.stringify), else NaN.
 * Then JSON.parse of the same text gives that event, the same fields in the same order: the second reading
 * needs no schema check, only to know that the line did not change since (its hash). Events in
 * EventBridge's field order, as the shop sends them, are written so (catalog.ts: envelopeSchema).
 */
function canonicalHash(text: string, event: ShopEvent): number {
  return JSON.stringify(event) === text ? hash53(text) : Number.NaN;
}

/** A line of the second reading: JSON.parse alone for a line known checked (canonical), else the full check. */
function parseAgain(text: string, canonical: number, line: number): ShopEvent {
  if (!Number.isNaN(canonical)) {
    if (hash53(text) !== canonical) throw new Error(`line ${line}: the events changed while the simulation read them`);
    return JSON.parse(text) as ShopEvent;
  }
  const parsed = parseEventJson(text);
  if (!parsed.ok) throw new Error(`line ${line}: the events changed while the simulation read them`);
  return parsed.event;
}

/**
 * The second reading: the events in time order as they stand (each later than or as late as every line
 * before it) merged with the early ones. Both are ordered by time then line, so the merge is the stable sort.
 */
function* inTimeOrder(lines: Iterable<string>, plan: OrderPlan): Generator<ShopEvent> {
  const { inOrder, canonical, early } = plan;
  let next = 0;
  let kept = 0;
  let line = 0;
  for (const text of lines) {
    if (next === inOrder.length) break;
    line++;
    if (inOrder[next] !== line) continue;
    const event = parseAgain(text, canonical[next] ?? Number.NaN, line);
    next++;
    const time = Date.parse(event.time);
    for (
      let item = early[kept];
      item !== undefined && (item.time < time || (item.time === time && item.line < line));
      item = early[kept]
    ) {
      early[kept++] = undefined;
      yield item.event;
    }
    yield event;
  }
  if (next < inOrder.length) throw new Error("the events changed while the simulation read them: lines missing");
  for (let item = early[kept]; item !== undefined; item = early[kept]) {
    early[kept++] = undefined;
    yield item.event;
  }
}

/** The events of an array in turn, each let go once taken, so memory holds only what runs still need. */
function* lettingGo(events: (ShopEvent | undefined)[]): Generator<ShopEvent> {
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    if (event === undefined) continue;
    events[index] = undefined;
    yield event;
  }
}

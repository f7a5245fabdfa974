import type { StatsCounter } from "../engine/model.ts";
import { entryOf, newMap } from "../shared/maps.ts";

type ByName = Map<string, StatsCounter>;

/**
 * Statistics counters added up, merged by journey, version, day (or hour) and name, in the order first added:
 * the runtime's until its next flush, the in-memory store's for good. Found through a map for each part rather
 * than by one key string of all four, which every saved decision's counters would build, flatten and hash.
 */
export class CounterTotals {
  private readonly byJourney = new Map<string, Map<number, Map<string, ByName>>>();
  private counters: StatsCounter[] = [];
  /**
   * The day's names `namesOf` found last: a decision's counters (its effects, the steps it visited) are of one
   * journey, version and day, which then cost no map lookup each but their name's. Four fields, not an object
   * made at each change of journey.
   */
  private lastJourney = "";
  private lastVersion = 0;
  private lastDay = "";
  private lastNames: ByName | undefined;

  get size(): number {
    return this.counters.length;
  }

  /** Adds a counter: to the one of its journey, version, day and name, or as that one (kept, not copied). */
  add(counter: StatsCounter): void {
    const byName = this.namesOf(counter);
    const total = byName.get(counter.name);
    if (total) total.amount += counter.amount;
    else {
      byName.set(counter.name, counter);
      this.counters.push(counter);
    }
  }

  /** The totals, in the order first added: the objects kept, which later adds change. */
  list(): readonly StatsCounter[] {
    return this.counters;
  }

  /** The counters added since the last take, in the order first added; starts afresh. */
  take(): StatsCounter[] {
    const counters = this.counters;
    this.counters = [];
    this.byJourney.clear();
    this.lastNames = undefined;
    return counters;
  }

  private namesOf({ journeyId, version, day, hour }: StatsCounter): ByName {
    if (hour !== undefined) return this.namesIn(journeyId, version, `${day}T${hour}`);
    const last = this.lastNames;
    if (last !== undefined && this.lastDay === day && this.lastJourney === journeyId && this.lastVersion === version)
      return last;
    const byName = this.namesIn(journeyId, version, day);
    this.lastJourney = journeyId;
    this.lastVersion = version;
    this.lastDay = day;
    this.lastNames = byName;
    return byName;
  }

  private namesIn(journeyId: string, version: number, period: string): ByName {
    const byVersion = entryOf(this.byJourney, journeyId, newMap<number, Map<string, ByName>>);
    return entryOf(entryOf(byVersion, version, newMap<string, ByName>), period, newMap<string, StatsCounter>);
  }
}

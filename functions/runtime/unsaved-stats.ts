import type { StatsCounter } from "../engine/model.ts";

type ByName = Map<string, StatsCounter>;

/**
 * Statistics counters added up until the runtime's next flush, merged by journey, version, day (or hour) and name,
 * in the order first added. Found through a map for each part rather than by one key string of all four,
 * which every saved decision's counters would build, flatten and hash.
 */
export class UnsavedStats {
  private readonly byJourney = new Map<string, Map<number, Map<string, ByName>>>();
  private counters: StatsCounter[] = [];

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

  /** The counters added since the last take, in the order first added; starts afresh. */
  take(): StatsCounter[] {
    const counters = this.counters;
    this.counters = [];
    this.byJourney.clear();
    return counters;
  }

  private namesOf({ journeyId, version, day, hour }: StatsCounter): ByName {
    const period = hour === undefined ? day : `${day}T${hour}`;
    let byVersion = this.byJourney.get(journeyId);
    if (byVersion === undefined) {
      byVersion = new Map();
      this.byJourney.set(journeyId, byVersion);
    }
    let byDay = byVersion.get(version);
    if (byDay === undefined) {
      byDay = new Map();
      byVersion.set(version, byDay);
    }
    let byName = byDay.get(period);
    if (byName === undefined) {
      byName = new Map();
      byDay.set(period, byName);
    }
    return byName;
  }
}

import type { ShopEvent } from "../../events/catalog.ts";
import type { Journey } from "../language/schema.ts";
import { type CompiledJourney, compileJourney } from "./compile.ts";

/**
 * Every journey version the platform knows. The highest version of each journey decides who enters;
 * runs already in flight keep the version they entered with, so editing a journey never breaks them.
 */
export class JourneyCatalog {
  private readonly versions = new Map<string, Map<number, CompiledJourney>>();
  /** Every version of each journey, by id, in an array: `mayMatter` runs for each journey an event reaches. */
  private readonly versionLists = new Map<string, readonly CompiledJourney[]>();
  private latest: CompiledJourney[] = [];
  /** The current version of each journey, by id: a wake-up finds its journey without a scan. */
  private latestById = new Map<string, CompiledJourney>();
  private readonly byDetailType = new Map<string, readonly CompiledJourney[]>();
  /** The journeys whose current version keeps its counters by hour (`report.byHour`). */
  private hourly = new Set<string>();
  /** The journeys whose current version has a schedule trigger. */
  private campaigns = new Set<string>();

  constructor(journeys: Iterable<Journey> = []) {
    for (const journey of journeys) this.add(journey);
  }

  add(journey: Journey): CompiledJourney {
    const compiled = compileJourney(journey);
    let byVersion = this.versions.get(journey.id);
    if (byVersion === undefined) {
      byVersion = new Map();
      this.versions.set(journey.id, byVersion);
    }
    byVersion.set(journey.version, compiled);
    this.versionLists.set(journey.id, [...byVersion.values()]);
    this.latest = [...this.versions.values()]
      .map((v) => [...v.values()].reduce((a, b) => (b.version > a.version ? b : a)))
      // Higher priority first: its effects come first when several journeys react to one event.
      .sort((a, b) => b.journey.priority - a.journey.priority || a.id.localeCompare(b.id));
    this.latestById = new Map(this.latest.map((current) => [current.id, current]));
    this.byDetailType.clear();
    this.hourly = new Set(this.latest.filter((journey) => journey.journey.report.byHour).map((journey) => journey.id));
    this.campaigns = new Set(
      this.latest.filter((journey) => journey.journey.trigger.type === "schedule").map((journey) => journey.id),
    );
    return compiled;
  }

  /** The current (highest) version of every journey, highest priority first. */
  current(): readonly CompiledJourney[] {
    return this.latest;
  }

  /** The current (highest) version of a journey; undefined when there is no such journey. */
  currentOf(id: string): CompiledJourney | undefined {
    return this.latestById.get(id);
  }

  get(id: string, version: number): CompiledJourney | undefined {
    return this.versions.get(id)?.get(version);
  }

  /** The current journeys that any of whose versions listens to this detail-type, highest priority first. */
  listeningTo(detailType: string): readonly CompiledJourney[] {
    let journeys = this.byDetailType.get(detailType);
    if (journeys === undefined) {
      journeys = this.latest.filter((journey) => this.listensTo(journey.id, detailType));
      this.byDetailType.set(detailType, journeys);
    }
    return journeys;
  }

  /**
   * Whether the event matches a pattern of any version of the journey (CompiledJourney.matters): one that
   * matches none changes none of its records, so they need not be read.
   */
  mayMatter(id: string, event: ShopEvent): boolean {
    const versions = this.versionLists.get(id);
    if (versions === undefined) return false;
    for (let i = 0; i < versions.length; i++) if ((versions[i] as CompiledJourney).matters(event)) return true;
    return false;
  }

  /**
   * Whether the journey keeps its counters by hour as well as by day: its current version's `report.byHour`
   * (a version's counters follow what is deployed now, so turning it on for a promotion counts every run).
   */
  readonly keepsHours = (id: string): boolean => this.hourly.has(id);

  /** Whether the journey is a campaign: its current version is entered by a schedule (a lane of its own). */
  readonly isCampaign = (id: string): boolean => this.campaigns.has(id);

  /** Whether any version of the journey listens to events of this detail-type. */
  listensTo(id: string, detailType: string): boolean {
    for (const journey of this.versions.get(id)?.values() ?? []) {
      if (journey.detailTypes === "any" || journey.detailTypes.has(detailType)) return true;
    }
    return false;
  }
}

/**
 * The simulator's account of each campaign occurrence: `campaign.started` when its fan-out lists the
 * audience, `campaign.finished` once every member given a wake-up had it handled, with how many entered
 * and how many were kept as the holdout (docs/simulator.md).
 */
import type { WakeUp } from "../engine/model.ts";
import type { FanOutReport } from "../runtime/campaign-fan-out.ts";
import { formatInstant } from "../shared/time.ts";
import type { JourneyLine, SimulationLine } from "./lines.ts";

interface OpenOccurrence {
  journey: string;
  version: number;
  occurrence: string;
  pending: Set<string>;
  entered: number;
  holdout: number;
}

export class CampaignLines {
  /** Open occurrences by `<journey> <occurrence>`, oldest first. */
  private readonly open = new Map<string, OpenOccurrence>();
  /** Occurrences already started: a fan-out delivered again (faults) starts none twice. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly emit: (line: SimulationLine) => void,
    private readonly versionOf: (journeyId: string) => number,
  ) {}

  /** An occurrence's fan-out ran at `at`. */
  started(report: FanOutReport, at: number): void {
    const id = `${report.journeyId} ${report.occurrence}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const version = this.versionOf(report.journeyId);
    const open = { journey: report.journeyId, version, occurrence: report.occurrence, entered: 0, holdout: 0 };
    const occurrence = { ...open, pending: new Set(report.scheduled) };
    this.emit(this.line(occurrence, at, "campaign.started", { audience: report.audience }));
    if (report.scheduled.length === 0) this.finish(id, occurrence, at);
    else this.open.set(id, occurrence);
  }

  /** Every output line goes by: a campaign's entries count for the open occurrence that waits for the user. */
  observe(line: SimulationLine): void {
    if (line.type !== "journey.entered" && line.type !== "holdout") return;
    for (const occurrence of this.open.values()) {
      if (occurrence.journey !== line.journey || !occurrence.pending.has(line.user)) continue;
      if (line.type === "holdout") occurrence.holdout++;
      else occurrence.entered++;
      return;
    }
  }

  /** A member's wake-up was handled (entered or not): the occurrence finishes with its last member. */
  handled(wakeUp: WakeUp, at: number): void {
    if (wakeUp.kind !== "campaign" && wakeUp.kind !== "entries") return;
    const id = `${wakeUp.journeyId} ${wakeUp.occurrence}`;
    const occurrence = this.open.get(id);
    if (occurrence === undefined) return;
    const members = wakeUp.kind === "entries" ? wakeUp.members : [wakeUp.key];
    let removed = false;
    for (const member of members) removed = occurrence.pending.delete(member) || removed;
    if (!removed) return;
    if (occurrence.pending.size === 0) this.finish(id, occurrence, at);
  }

  private finish(id: string, occurrence: OpenOccurrence, at: number): void {
    this.open.delete(id);
    const { entered, holdout } = occurrence;
    this.emit(this.line(occurrence, at, "campaign.finished", { entered, holdout }));
  }

  private line(occurrence: OpenOccurrence, at: number, type: string, counts: Record<string, number>): JourneyLine {
    const { journey, version } = occurrence;
    return {
      at: formatInstant(at),
      journey,
      version,
      user: "",
      run: "",
      type,
      occurrence: occurrence.occurrence,
      ...counts,
    };
  }
}

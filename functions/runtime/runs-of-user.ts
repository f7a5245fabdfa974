import type { JourneyCatalog } from "../engine/catalog.ts";
import type { Decision } from "../engine/decide.ts";
import type { RunRecord } from "../engine/model.ts";
import type { RunOfUser, Versioned } from "./ports.ts";

/**
 * The runs of journeys keyed otherwise (a coupon, an order) a decision tells the user's index of, for
 * `nudge why` (UserState.runs):
 * - the decision's own run, when it is new and its key is not the user's id;
 * - the runs its events may start: an event the decision emits for the same user (a `coupon.issued`)
 *   names, by its key field, the run each journey listening to it would keep. Indexed here, they ride on
 *   this decision's write to the user (its send, its profile change), and the run they start finds them
 *   there and writes nothing to the user. A run the event does not start in the end is read as none.
 */
export function runsToIndex(
  catalog: JourneyCatalog,
  request: { user: string; decision: Decision; stored: Versioned<RunRecord> | undefined },
): RunOfUser[] {
  const { user, decision, stored } = request;
  const runs: RunOfUser[] = [];
  const saved = decision.record;
  if (stored === undefined && saved.run !== undefined && saved.run.userId === user && saved.key !== user)
    runs.push({ journeyId: saved.journeyId, key: saved.key });
  for (const event of decision.events) {
    if (event.detail.userId !== user) continue;
    for (const journey of catalog.listeningTo(event["detail-type"])) {
      const key = event.detail[journey.journey.key];
      if (typeof key === "string" && key !== "" && key !== user) runs.push({ journeyId: journey.id, key });
    }
  }
  return runs;
}

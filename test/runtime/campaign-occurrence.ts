import type { ShopEvent } from "../../events/catalog.ts";
import { nextCampaignOccurrence } from "../../functions/engine/campaigns.ts";
import { compileJourney } from "../../functions/engine/compile.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import type { PolicyConfig } from "../../functions/engine/policies/config.ts";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import type { Journey } from "../../functions/language/schema.ts";
import { type CampaignForecast, forecastOccurrence } from "../../functions/runtime/campaign-forecast.ts";
import type { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import type { MemoryStore } from "../../functions/store/memory/memory-store.ts";

/** What the campaign forecast's tests share: a shop event at the members' joining time, and an occurrence sent. */

export const shopEventAt =
  (time: string) =>
  (type: string, id: string, detail: Record<string, unknown>): ShopEvent => ({
    id,
    source: "shop",
    "detail-type": type,
    time,
    detail,
  });

/**
 * The campaign's next occurrence after `at`, forecast, then sent as on the platform: the occurrence's fan-out, and
 * every wake-up it sets (each member's entry) taken and handled within two days. `effects` holds the send's alone.
 */
export async function forecastThenSend(args: {
  journey: Journey;
  at: number;
  store: MemoryStore;
  runtime: JourneyRuntime;
  policies: PolicyConfig;
  traits: TraitsFile;
  effects: JourneyEffect[];
}): Promise<CampaignForecast> {
  const { journey, at, store, runtime, policies, traits, effects } = args;
  const trigger = journey.trigger;
  const occurrence = trigger.type === "schedule" ? nextCampaignOccurrence(trigger, at) : undefined;
  if (occurrence === undefined) throw new Error(`${journey.id} has no occurrence`);
  const forecast = await forecastOccurrence({
    store,
    journey: compileJourney(journey),
    occurrence,
    config: policies,
    traits: { file: traits, defaultZone: policies.defaultTimezone },
  });
  effects.length = 0;
  await runtime.handleWakeUp(
    {
      kind: "occurrence",
      journeyId: journey.id,
      key: "@campaign",
      at: new Date(occurrence.fanOutAt).toISOString(),
      occurrence: occurrence.occurrence,
    },
    occurrence.fanOutAt,
  );
  const until = occurrence.fanOutAt + 2 * 86_400_000;
  for (let due = await store.takeDueWakeUps(until, 100); due.length > 0; due = await store.takeDueWakeUps(until, 100))
    for (const wakeUp of due) await runtime.handleWakeUp(wakeUp, Date.parse(wakeUp.at));
  return forecast;
}

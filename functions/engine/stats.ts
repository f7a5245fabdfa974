import type { JourneyEffect, StatsCounter } from "./model.ts";

/** The counter an effect adds to, and by how much; undefined for effects that count nothing. */
function countersOf(effect: JourneyEffect): [name: string, amount: number][] {
  switch (effect.type) {
    case "journey.entered":
      return [["entered", 1]];
    case "holdout":
      return [["holdout", 1]];
    case "journey.exited":
      return [[`exited.${effect.reason}`, 1]];
    case "coupon.issued":
      return [
        ["coupon.issued", 1],
        ["coupon.value", effect.coupon.amountOff],
      ];
    case "message.sent":
      return [["message.sent", 1]];
    case "message.suppressed":
      return [[`message.suppressed.${effect.reason}`, 1]];
    case "message.deferred":
      return [[`message.deferred.${effect.reason}`, 1]];
    case "coupon.withheld":
      return [[`coupon.withheld.${effect.reason}`, 1]];
    case "goal.converted":
      return [["goal.converted", 1]];
    case "event.emitted":
      return [["event.emitted", 1]];
    case "profile.updated":
      return [];
  }
}

/**
 * The statistics counters a batch of carried-out effects adds, merged by journey, version, day and name.
 * A batch is one decision's effects (a handful), so merging scans a short list instead of building keys.
 */
export function statsOf(effects: readonly JourneyEffect[]): StatsCounter[] {
  const merged: StatsCounter[] = [];
  for (const effect of effects) {
    for (const [name, amount] of countersOf(effect)) {
      const day = effect.at.slice(0, 10);
      const counter = merged.find(
        (c) => c.name === name && c.day === day && c.journeyId === effect.journey && c.version === effect.version,
      );
      if (counter) counter.amount += amount;
      else merged.push({ journeyId: effect.journey, version: effect.version, day, name, amount });
    }
  }
  return merged;
}

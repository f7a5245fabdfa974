import { describe, expect, it } from "vitest";
import type { SentMessage } from "../../../functions/engine/model.ts";
import { parseJourneyPolicy, parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import {
  goesAtItsPlace,
  PLACE_TOLERANCE_MS,
  sendLogAfter,
  sendLogRetentionMs,
} from "../../../functions/engine/policies/reserve.ts";

const HOUR = 3_600_000;
const config = parsePolicyConfig({});

describe("sendLogRetentionMs", () => {
  it("keeps sends as long as the longest cap window, the platform's or any journey's", () => {
    // Prepare
    const weekly = parseJourneyPolicy({ caps: [{ id: "weekly", max: 1, per: "P7D" }] });
    // Act / Assess
    expect(sendLogRetentionMs(config, [])).toBe(24 * HOUR);
    expect(sendLogRetentionMs(config, [parseJourneyPolicy({}), weekly])).toBe(7 * 24 * HOUR);
    expect(sendLogRetentionMs(parsePolicyConfig({ caps: [] }), [])).toBe(0);
  });
});

const T = Date.parse("2026-11-26T01:00:10Z");
const sent = (id: string, ms: number, held?: true): SentMessage => ({
  id,
  at: new Date(ms).toISOString(),
  journeyId: "welcome",
  channel: "push",
  category: "marketing",
  ...(held ? { held } : {}),
});
const clock = { now: T, retentionMs: 24 * HOUR };

describe("sendLogAfter", () => {
  it("adds a decision's sends and held places, and prunes what no cap counts any more", () => {
    // Prepare: a send two days old, one an hour old
    const logged = [sent("a", T - 48 * HOUR), sent("b", T - HOUR)];
    // Act
    const after = sendLogAfter(
      logged,
      { reserved: [sent("c", T), sent("d", T + 8 * HOUR, true)], released: [] },
      clock,
    );
    // Assess
    expect(after?.map((s) => s.id)).toEqual(["b", "c", "d"]);
  });

  it("writes nothing for a decision retried (its sends logged already) or one that changes nothing", () => {
    // Prepare
    const logged = [sent("a", T - 48 * HOUR), sent("c", T)];
    // Act / Assess: the stale send stays until a write that changes something prunes it
    expect(sendLogAfter(logged, { reserved: [sent("c", T)], released: [] }, clock)).toBeUndefined();
    expect(sendLogAfter(logged, { reserved: [], released: ["x"] }, clock)).toBeUndefined();
  });

  it("takes off the places given back", () => {
    // Prepare
    const logged = [sent("b", T - HOUR), sent("p", T + HOUR, true)];
    // Act
    const after = sendLogAfter(logged, { reserved: [], released: ["p"] }, clock);
    // Assess
    expect(after?.map((s) => s.id)).toEqual(["b"]);
  });
});

describe("goesAtItsPlace", () => {
  it("counts a deferred message at its place within the tolerance, either side, and not past it", () => {
    // Prepare
    const place = sent("p", T, true);
    // Act / Assess
    expect(goesAtItsPlace(place, T + PLACE_TOLERANCE_MS)).toBe(true);
    expect(goesAtItsPlace(place, T - PLACE_TOLERANCE_MS)).toBe(true);
    expect(goesAtItsPlace(place, T + PLACE_TOLERANCE_MS + 1)).toBe(false);
    expect(goesAtItsPlace(undefined, T)).toBe(false);
  });
});

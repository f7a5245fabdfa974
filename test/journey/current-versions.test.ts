import { describe, expect, it } from "vitest";
import { buildReports } from "../../functions/cli/report.ts";
import { currentVersions } from "../../functions/journey/load.ts";
import { journeyFrom } from "../scenarios/helpers.ts";

/** A journey of one message, at a version; `steps` names its send step, to tell the versions apart. */
const journey = (id: string, version: number, step = `send-v${version}`) =>
  journeyFrom({
    id,
    version,
    name: id,
    trigger: { type: "event", pattern: { "detail-type": ["user.registered"] } },
    start: step,
    steps: [{ id: step, type: "send", channel: "push", template: "hello" }],
    templates: { hello: { "zh-CN": "你好" } },
  });

describe("currentVersions", () => {
  it("keeps each journey once, its highest version, whatever the order of the files", () => {
    // Prepare: version 2 in its file before version 1's kept file (journeys/x.json, journeys/x.v1.json), and the reverse.
    const journeys = [journey("a", 2), journey("a", 1), journey("b", 1), journey("c", 1), journey("c", 3)];

    // Act
    const current = currentVersions(journeys);

    // Assess
    expect(current.map((j) => `${j.id} v${j.version}`)).toEqual(["a v2", "b v1", "c v3"]);
  });
});

describe("nudge report's journeys", () => {
  it("reports a journey that keeps an earlier version's file once, with its current version's steps", async () => {
    // Prepare
    const store = { readStats: async () => [], readHourlyStats: async () => [] };
    const range = { from: "2026-11-01", to: "2026-11-30" };

    // Act
    const reports = await buildReports(store, [journey("a", 2), journey("a", 1), journey("b", 1)], range);

    // Assess
    expect(reports.map((report) => report.journeyId)).toEqual(["a", "b"]);
    expect(JSON.stringify(reports[0])).toContain("send-v2");
    expect(JSON.stringify(reports[0])).not.toContain("send-v1");
  });
});

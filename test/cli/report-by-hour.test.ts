import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { withTimerIndex } from "../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { REPORTED, simulateShop } from "../reports/known-shop.ts";
import { freshTable } from "../setup/dynalite.ts";
import { capture } from "./capture-io.ts";

/** The known shop's journey, keeping its counters by hour as well. */
const HOURLY = { ...REPORTED, report: { byHour: true } };
const PLAN = { treatment: 40, holdout: 40, treatmentOrders: 14, holdoutOrders: 6, redemptions: 10 };

/**
 * Registrations at 09:00 in Shanghai (01:00 UTC) on 2 November: entries, coupons and welcomes; orders and
 * redemptions at 21:00; the reminders of those who did not order at 09:00 the next day.
 */
const SHANGHAI_HOURS = [
  "  By hour (Asia/Shanghai):",
  "    hour              entered  holdout  sent  coupons  redeemed  converted  holdout conv.",
  "    2026-11-02 09:00       40       40    40       40         0          0              0",
  "    2026-11-02 21:00        0        0     0        0        10         14              6",
  "    2026-11-03 09:00        0        0    26        0         0          0              0",
];

describe("nudge report --by hour", () => {
  let source: string[];
  let journeys: string;
  const range = ["--since", "2026-11-01", "--until", "2026-11-12"];

  beforeAll(async () => {
    // Prepare: the known shop on a DynamoDB table, the journey that keeps hours in a folder of its own.
    const { endpoint, tableName, client } = await freshTable();
    await simulateShop(PLAN, withTimerIndex(new DynamoDbStore(client, { tableName })), HOURLY);
    const work = mkdtempSync(join(tmpdir(), "nudge-report-hours-"));
    journeys = join(work, "journeys");
    mkdirSync(journeys);
    writeFileSync(join(journeys, `${HOURLY.id}.json`), JSON.stringify(HOURLY));
    source = ["--table", tableName, "--dynamodb-endpoint", endpoint];
  });

  it("prints each hour's entries, messages, coupons and conversions in the zone asked, after the day figures", async () => {
    // Prepare
    const io = capture();
    // Act
    const code = await main(
      ["report", ...source, "--journeys", journeys, ...range, "--by", "hour", "--timezone", "Asia/Shanghai"],
      io,
    );
    // Assess: the day figures are the same as without hours.
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    expect(io.out).toContain("  Entered: 40 treatment, 40 holdout");
    expect(io.out).toContain("  Coupons: 40 issued (value 400), 10 redeemed (value 100); withheld none");
    expect(io.out.slice(-SHANGHAI_HOURS.length)).toEqual(SHANGHAI_HOURS);
  });

  it("gives the hours in UTC as JSON, and on the page", async () => {
    // Prepare
    const io = capture();
    const page = join(mkdtempSync(join(tmpdir(), "nudge-report-hours-page-")), "report.html");
    // Act
    const code = await main(
      ["report", ...source, "--journeys", journeys, ...range, "--by", "hour", "--format", "json", "--html", page],
      io,
    );
    // Assess
    expect(code).toBe(0);
    const [report] = JSON.parse(io.out.join("\n")).journeys;
    expect(report.byHour.keepsHours).toBe(true);
    expect(report.byHour.hours.map((h: { hour: string; sent: number }) => [h.hour, h.sent])).toEqual([
      ["2026-11-02T01:00:00Z", 40],
      ["2026-11-02T13:00:00Z", 0],
      ["2026-11-03T01:00:00Z", 26],
    ]);
    const html = readFileSync(page, "utf8");
    expect(html).toContain("<h3>By hour (Asia/Shanghai)</h3>");
    expect(html).toContain('<tr><th>2026-11-02 21:00</th><td class="n">0</td><td class="n">0</td><td class="n">0</td>');
  });

  it("says how to keep hours for a journey that keeps none, and counts none for it", async () => {
    // Prepare: the same shop on a table of its own, with the journey keeping days only.
    const { endpoint, tableName, client } = await freshTable();
    const store = withTimerIndex(new DynamoDbStore(client, { tableName }));
    await simulateShop(PLAN, store);
    const work = mkdtempSync(join(tmpdir(), "nudge-report-days-"));
    mkdirSync(join(work, "journeys"));
    writeFileSync(join(work, "journeys", `${REPORTED.id}.json`), JSON.stringify(REPORTED));
    const io = capture();
    // Act
    const hours = await store.readHourlyStats(REPORTED.id, "2026-11-01", "2026-11-12");
    const args = ["--table", tableName, "--dynamodb-endpoint", endpoint, "--journeys", join(work, "journeys")];
    const code = await main(["report", ...args, ...range, "--by", "hour"], io);
    // Assess
    expect(hours).toEqual([]);
    expect(code).toBe(0);
    expect(io.out.at(-1)).toBe(
      '  By hour: none kept (set "report": {"byHour": true} in the journey file, from then on).',
    );
  });

  it("refuses --by other than day or hour, and a zone that is none", async () => {
    // Prepare
    const io = capture();
    // Act
    const by = await main(["report", ...source, "--journeys", journeys, "--by", "week"], io);
    const zone = await main(["report", ...source, "--journeys", journeys, "--timezone", "Mars/Olympus"], io);
    // Assess
    expect([by, zone]).toEqual([2, 2]);
    expect(io.err.join("\n")).toContain('--by: expected "day" or "hour", got "week"');
    expect(io.err.join("\n")).toContain(
      '--timezone: expected an IANA time zone such as "Asia/Shanghai", got "Mars/Olympus"',
    );
  });
});

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { withTimerIndex } from "../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { REPORTED, simulateShop } from "../reports/known-shop.ts";
import { freshTable } from "../setup/dynalite.ts";
import { itWith, type OutsideProgram, onPath } from "../support/outside-program.ts";
import { PROGRAM_TIMEOUT_MS } from "../support/until.ts";
import { capture } from "./capture-io.ts";

/** A headless Chromium (or Chrome) on the PATH; .ci/run installs Debian's `chromium` where it is missing. */
const browser: OutsideProgram = {
  label: "Chromium",
  path: onPath(["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]),
  install: "apt-get install chromium",
};

describe("nudge report", () => {
  let source: string[];
  let work: string;

  beforeAll(async () => {
    // The known shop (see known-shop.ts) on a DynamoDB table, its journey in a folder of its own.
    const { endpoint, tableName, client } = await freshTable();
    await simulateShop(
      { treatment: 40, holdout: 40, treatmentOrders: 14, holdoutOrders: 6, redemptions: 10 },
      withTimerIndex(new DynamoDbStore(client, { tableName })),
    );
    work = mkdtempSync(join(tmpdir(), "nudge-report-"));
    mkdirSync(join(work, "journeys"));
    writeFileSync(join(work, "journeys", `${REPORTED.id}.json`), JSON.stringify(REPORTED));
    source = ["--table", tableName, "--dynamodb-endpoint", endpoint, "--journeys", join(work, "journeys")];
  });

  const range = ["--since", "2026-11-01", "--until", "2026-11-12"];

  it("prints the funnel, the numbers and the uplift with its interval and verdict", async () => {
    // Prepare
    const io = capture();
    // Act
    const code = await main(["report", ...source, ...range], io);
    // Assess
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    expect(io.out.slice(1)).toEqual([
      "",
      "report-test (Test journey) v1",
      "  Entered: 40 treatment, 40 holdout",
      "  Funnel (treatment runs; % of entered):",
      "    entered         40  100.0%",
      "    step coupon     40  100.0%",
      "    step welcome    40  100.0%",
      "    step wait       40  100.0%",
      "    step reminder   26   65.0%",
      "    messages sent   66  165.0%",
      "    goal converted  14   35.0%",
      "  Messages: 66 sent; suppressed 0 (none); deferred 0 (none)",
      "  Coupons: 40 issued (value 400), 10 redeemed (value 100); withheld none",
      "  Exits: completed 60, exit-event 20",
      "  Goal: 14 conversions (order value 2,310); holdout 6 (order value 750)",
      "  Uplift: treatment 35.0% (14 of 40) vs holdout 15.0% (6 of 40)",
      "    difference +20.0 points, 95% CI +1.5 to +38.5 (Wald interval (normal approximation) for the difference of two proportions)",
      "    incremental conversions 8; coupon value redeemed 100; cost per incremental conversion 12.50",
      "    The journey raised conversion: the 95% interval of the difference, +1.5 to +38.5 percentage points, is above 0.",
    ]);
  });

  it("gives the same figures as JSON", async () => {
    // Prepare
    const io = capture();
    // Act
    const code = await main(["report", ...source, ...range, "--format", "json", "--journey", REPORTED.id], io);
    // Assess
    expect(code).toBe(0);
    const parsed = JSON.parse(io.out.join("\n"));
    expect(parsed.from).toBe("2026-11-01");
    const [report] = parsed.journeys;
    expect(report.goal).toEqual({ converted: 14, value: 2310, holdoutConverted: 6, holdoutValue: 750 });
    expect(report.uplift.verdict).toBe("uplift");
    expect(report.uplift.costPerIncrementalConversion).toBeCloseTo(12.5, 8);
  });

  it("refuses a day that is not YYYY-MM-DD", async () => {
    // Prepare
    const io = capture();
    // Act
    const code = await main(["report", ...source, "--since", "2026-11-31"], io);
    // Assess
    expect(code).toBe(2);
    expect(io.err[0]?.split("\n")[0]).toBe('nudge report: --since: expected a UTC day as YYYY-MM-DD, got "2026-11-31"');
  });

  describe("--html", () => {
    let path: string;
    let html: string;

    beforeAll(async () => {
      path = join(work, "report.html");
      const io = capture();
      const code = await main(["report", ...source, ...range, "--html", path], io);
      if (code !== 0) throw new Error(io.err.join("\n"));
      html = readFileSync(path, "utf8");
    });

    it("writes one self-contained page: inline SVG charts, no script, nothing fetched", () => {
      // Assess: a funnel and a conversion chart, each a closed <svg>, the figures in them, no address to load.
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      expect(html.match(/<svg /g)?.length).toBe(2);
      expect(html.match(/<\/svg>/g)?.length).toBe(2);
      expect(html).toContain('<svg class="chart funnel"');
      expect(html).toMatch(/<polyline class="series treatment"[^>]* points="[\d., ]+"\/>/);
      expect(html).toMatch(/<polyline class="series holdout"[^>]* points="[\d., ]+"\/>/);
      expect(html).toContain(">26 (65.0%)</text>");
      expect(html).toContain("The journey raised conversion");
      // (The page names its source, a local endpoint's address, as text: no attribute or style loads anything.)
      expect(html).not.toMatch(/\s(src|href|xlink:href)=|="https?:|<script|<link|<iframe|<img|@import|url\(/i);
    });

    itWith(browser)("renders in headless Chromium with both charts in the DOM", () => {
      // Act
      const dom = execFileSync(
        browser.path as string,
        ["--headless", "--disable-gpu", "--no-sandbox", "--dump-dom", `file://${path}`],
        { encoding: "utf8", timeout: PROGRAM_TIMEOUT_MS, stdio: ["ignore", "pipe", "ignore"] },
      );
      // Assess
      expect(dom).toContain('<svg class="chart funnel"');
      expect(dom).toContain('<svg class="chart conversion"');
      expect(dom.match(/<rect class="bar"/g)?.length).toBe(7);
      expect(dom).toContain("<polyline");
    });
  });
});

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { humanDuration, journeyGraph, journeysMarkdown } from "../../functions/journey/graph.ts";
import { isJourneyFileName, type LoadedJourney, loadJourneyFiles } from "../../functions/journey/load.ts";
import { SHIPPED_JOURNEYS_CWD, SHIPPED_JOURNEYS_DIR } from "../support/shipped-journeys.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function load(path: string): Promise<LoadedJourney> {
  const { journeys, problems } = await loadJourneyFiles([`${root}${path}`], root);
  const [loaded] = journeys;
  if (loaded === undefined) throw new Error(`${path} does not load: ${JSON.stringify(problems)}`);
  return loaded;
}

/**
 * The shapes of line the charts are made of: node declarations with one quoted label (no quote inside),
 * plain or labelled edges, and the note's style. Mermaid ids are letters, digits and underscores.
 */
const NODE = /^ {2}[A-Za-z_][A-Za-z0-9_]*(\(\[|\(\(|\[|\(|\{|>)"[^"]*"(\]\)|\)\)|\]|\)|\})$/;
const EDGE = /^ {2}[A-Za-z_][A-Za-z0-9_]* -->(\|"[^"]*"\|)? [A-Za-z_][A-Za-z0-9_]*$/;
const STYLE = /^ {2}(classDef note .*|class notes note)$/;

describe("journeyGraph", () => {
  it("draws a journey: trigger, steps with their essentials, end, and the exit events as a note", async () => {
    // Prepare
    const { journey } = await load("test/fixtures/journeys/expiry-reminder.json");

    // Act
    const chart = journeyGraph(journey);

    // Assess
    expect(chart).toBe(
      [
        "flowchart TD",
        '  trigger(["on coupon.issued<br/>one run per couponId"])',
        '  step_wait_until_day_before("wait-until-day-before<br/>wait until trigger.detail.expiresAt -PT24H")',
        '  step_send_expiry_nudge["send-expiry-nudge<br/>send push: expiring<br/>until trigger.detail.expiresAt"]',
        '  done(("end"))',
        "  trigger --> step_wait_until_day_before",
        "  step_wait_until_day_before --> step_send_expiry_nudge",
        "  step_send_expiry_nudge --> done",
        '  notes>"exits on coupon.redeemed"]',
        "  classDef note fill:#fff8c4,stroke:#c9b458",
        "  class notes note",
      ].join("\n"),
    );
  });

  it("describes an inactivity trigger, a coupon, the goal and the holdout", async () => {
    // Prepare
    const { journey } = await load("test/fixtures/journeys/dormancy.json");

    // Act
    const lines = journeyGraph(journey).split("\n");

    // Assess
    expect(lines).toContain(
      '  trigger(["no order.placed for P30D<br/>counted from the last order.placed or user.registered"])',
    );
    expect(lines).toContain(
      '  step_issue_comeback_coupon["issue-comeback-coupon<br/>issue coupon 30 CNY, min spend 99, free shipping, 14 days"]',
    );
    expect(lines).toContain('  step_wait_7_days("wait-7-days<br/>wait P7D")');
    expect(lines).toContain('  notes>"exits on order.placed<br/>goal: order.placed within P14D<br/>holdout 10%"]');
  });

  it("describes a campaign's schedule or event-relative time, its zone and its segment", async () => {
    // Prepare
    const memberDay = await load("test/fixtures/journeys/campaigns/journeys/member-day.json");
    const warmup = await load("test/fixtures/journeys/campaigns/journeys/presale-warmup.json");
    Object.assign(warmup.journey.trigger, { timezone: "Asia/Shanghai" });

    // Act
    const triggers = [memberDay, warmup].map(({ journey }) => journeyGraph(journey).split("\n")[1]);

    // Assess
    expect(triggers).toEqual([
      '  trigger(["on schedule cron(0 10 ? * FRI *)<br/>in each user\'s own time zone<br/>segment: silver-and-above"])',
      '  trigger(["7 days before promotion.scheduled\'s startsAt, at 10:00<br/>in Asia/Shanghai<br/>segment: cart-or-favorite-30d"])',
    ]);
  });

  it("draws every step type with labelled edges, valid ids and escaped labels", async () => {
    // Prepare
    const { journey } = await load("test/fixtures/journeys/every-step.json");

    // Act
    const lines = journeyGraph(journey).split("\n");

    // Assess
    expect(lines[0]).toBe("flowchart TD");
    expect(lines.slice(1).filter((line) => !NODE.test(line) && !EDGE.test(line) && !STYLE.test(line))).toEqual([]);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  trigger(["on order.placed<br/>detail.amount #gt; 100 and #lt;= 500<br/>detail.currency = #quot;CNY#quot;<br/>one run per orderId<br/>audience: profile.attributes.segment is not #quot;say \\#quot;no\\#quot;#quot;"])',
        '  step_ab{"ab<br/>split<br/>control: 25%<br/>coupon: 75%"}',
        '  step_issue["issue<br/>issue coupon 15 CNY, min spend 100, 48 hours"]',
        '  step_send_coupon["send-coupon<br/>send sms: coupon (service)<br/>until coupon.expiresAt -PT1H"]',
        '  step_wait_for_delivery("wait-for-delivery<br/>wait up to P5D for order.delivered")',
        '  step_check{"Check #35;1 #lt;fast#gt; #124; #quot;quick#quot;<br/>branch<br/>1: profile.orderCount #gt; 1<br/>2: steps.ab.variant = #quot;coupon#quot;"}',
        '  step_tag["tag<br/>update profile: repeat, tier"]',
        '  step_announce["announce<br/>emit order.celebrated"]',
        '  step_later("later<br/>wait until trigger.time +P2D")',
        '  step_stop(["stop<br/>exit: say #quot;bye#quot;"])',
        '  step_ab -->|"control"| step_wait_for_delivery',
        '  step_ab -->|"coupon"| step_issue',
        '  step_wait_for_delivery -->|"event"| step_check',
        '  step_wait_for_delivery -->|"timeout"| done',
        '  step_check -->|"1"| step_tag',
        '  step_check -->|"2"| step_announce',
        '  step_check -->|"otherwise"| done',
        "  step_stop --> done",
        '  notes>"exits on order.refunded<br/>goal: review.posted (detail.rating = 5) within P14D<br/>holdout 5%"]',
      ]),
    );
  });

  it("draws a wait-until at a local time of day, and a send valid until one", async () => {
    // Prepare
    const { journey } = await load("journeys/checkin-streak.json");

    // Act
    const lines = journeyGraph(journey).split("\n");

    // Assess
    expect(lines).toEqual(
      expect.arrayContaining([
        '  step_wait_until_evening("wait-until-evening<br/>wait until 20:00 local, 1 day after trigger.time")',
        '  step_send_streak_reminder["send-streak-reminder<br/>send push: streak-reminder<br/>until 00:00 local, 2 days after trigger.time"]',
      ]),
    );
  });

  it("never uses Mermaid's reserved word end as a node id, in any shipped journey", async () => {
    // Prepare: the shipped journeys (or those NUDGE_TEST_JOURNEYS names).
    const files = readdirSync(SHIPPED_JOURNEYS_DIR)
      .filter(isJourneyFileName)
      .map((name) => join(SHIPPED_JOURNEYS_DIR, name));
    const { journeys } = await loadJourneyFiles(files, SHIPPED_JOURNEYS_CWD);

    // Act
    const charts = journeys.map(({ journey }) => journeyGraph(journey));

    // Assess
    expect(charts.length).toBe(files.length);
    for (const chart of charts) {
      expect(chart).not.toMatch(/(^|\s)end(\s|$|[[({])/m);
      expect(chart).toContain('done(("end"))');
    }
  });
});

describe("journeysMarkdown", () => {
  it("makes one section with a mermaid block per journey", async () => {
    // Prepare
    const journeys = [
      await load("test/fixtures/journeys/dormancy.json"),
      await load("test/fixtures/journeys/expiry-reminder.json"),
    ];

    // Act
    const markdown = journeysMarkdown(journeys);

    // Assess
    expect(markdown.match(/^### .*$/gm)).toEqual([
      "### A dormancy journey of the tests' own (`dormancy` v1)",
      "### A coupon expiry reminder of the tests' own (`expiry-reminder` v1)",
    ]);
    expect(markdown.match(/^```mermaid\nflowchart TD\n/gm)).toHaveLength(2);
    expect(markdown).toContain("Source: `test/fixtures/journeys/expiry-reminder.json`");
  });
});

describe("humanDuration", () => {
  it("words single-unit durations and leaves others as written", () => {
    // Act
    const words = ["P7D", "P1D", "PT48H", "PT1M", "P2W", "P1DT12H"].map(humanDuration);

    // Assess
    expect(words).toEqual(["7 days", "1 day", "48 hours", "1 minute", "2 weeks", "P1DT12H"]);
  });
});

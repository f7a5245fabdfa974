import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DETAIL_TYPES, detailFields, parseEvent } from "../../events/catalog.ts";
import { INSTANT_FIELDS } from "../../functions/journey/checks/schedule.ts";
import { formatProblem, journeyFilesIn } from "../../functions/journey/load.ts";
import { validateJourneyFiles } from "../../functions/journey/validate.ts";
import { journeySchema } from "../../functions/language/schema.ts";

/**
 * Campaigns (issue 16, the language part): a journey with a schedule trigger, `{"type": "schedule"}` with a
 * schedule expression or a time relative to an event, a zone and a segment, as the schema and `nudge validate`
 * check it. The fixtures are test/fixtures/journeys/campaigns/journeys/: member-day (every Friday at 10:00 in
 * each user's zone, to silver-and-above) and presale-warmup (7 days before a promotion starts, at 10:00).
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const shop = `${root}test/fixtures/journeys/campaigns`;
const SEGMENTS = "cart-or-favorite-30d, silver-and-above";
const PROMOTION_INSTANTS = "startsAt, endsAt, depositStartsAt, depositEndsAt";

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A journey file's JSON as parsed, free to change in a test. */
type JourneyJson = ReturnType<typeof JSON.parse>;

/** A fixture campaign's JSON, to change in a test. */
function fixture(name: "member-day" | "presale-warmup"): JourneyJson {
  return JSON.parse(readFileSync(`${shop}/journeys/${name}.json`, "utf8"));
}

/** A copy of the fixture folder with one campaign changed; the problem lines of that campaign's file. */
async function problemsWith(name: "member-day" | "presale-warmup", change: (journey: JourneyJson) => void) {
  const dir = mkdtempSync(join(tmpdir(), "nudge-campaign-"));
  temporary.push(dir);
  cpSync(shop, dir, { recursive: true });
  const journey = fixture(name);
  change(journey);
  writeFileSync(join(dir, "journeys", `${name}.json`), JSON.stringify(journey));
  const { problems } = await validateJourneyFiles(await journeyFilesIn(join(dir, "journeys")), dir);
  return problems.map(formatProblem);
}

describe("the schedule trigger in the schema", () => {
  it("accepts a schedule expression and a time relative to an event, each user's own zone by default", () => {
    // Prepare
    const memberDay = fixture("member-day");
    const warmup = fixture("presale-warmup");
    delete warmup.trigger.timezone;

    // Act
    const parsed = [memberDay, warmup].map((journey) => journeySchema.safeParse(journey));

    // Assess
    expect(parsed.map((result) => result.success)).toEqual([true, true]);
    expect(parsed.map((result) => result.data?.trigger)).toEqual([
      { type: "schedule", schedule: "cron(0 10 ? * FRI *)", timezone: "user", segment: "silver-and-above" },
      {
        type: "schedule",
        relativeTo: {
          event: { "detail-type": ["promotion.scheduled"] },
          field: "startsAt",
          days: -7,
          localTime: "10:00",
        },
        timezone: "user",
        segment: "cart-or-favorite-30d",
      },
    ]);
  });

  it("refuses both a schedule and a time relative to an event, and neither", async () => {
    // Act
    const both = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.schedule = "cron(0 10 ? * FRI *)";
    });
    const neither = await problemsWith("member-day", (journey) => {
      delete journey.trigger.schedule;
    });

    // Assess
    const expected = (file: string, got: string) =>
      `journeys/${file}.json: trigger: expected exactly one of "schedule" (a cron(...), at(...) or rate(...) expression) and "relativeTo" (an event's time), got ${got}`;
    expect(both).toEqual([expected("presale-warmup", "both")]);
    expect(neither).toEqual([expected("member-day", "neither")]);
  });

  it("refuses an unknown field, a day count past a year, a fraction of a day and a time of day that is not HH:MM", async () => {
    // Act
    const lines = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.relativeTo.days = -400;
      journey.trigger.relativeTo.localTime = "10am";
      journey.trigger.segmnt = "x";
    });
    const fraction = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.relativeTo.days = -6.5;
    });

    // Assess
    expect(lines).toContain(
      'journeys/presale-warmup.json: trigger.relativeTo.localTime: expected a time of day HH:MM such as "10:00", got "10am"',
    );
    expect(lines.some((line) => line.startsWith("journeys/presale-warmup.json: trigger.relativeTo.days: "))).toBe(true);
    expect(lines).toContain('journeys/presale-warmup.json: trigger: unknown field "segmnt" (did you mean "segment"?)');
    expect(fraction).toEqual(["journeys/presale-warmup.json: trigger.relativeTo.days: expected int, got -6.5"]);
  });
});

describe("nudge validate's checks of a campaign", () => {
  it("passes the fixture campaigns", async () => {
    // Act
    const { journeys, problems } = await validateJourneyFiles(await journeyFilesIn(`${shop}/journeys`), shop);

    // Assess
    expect(problems.map(formatProblem)).toEqual([]);
    expect(journeys.map((entry) => entry.journey.id)).toEqual(["member-day", "presale-warmup"]);
  });

  it("reports a schedule expression EventBridge Scheduler would refuse, with the parser's reason", async () => {
    // Act
    const fields = await problemsWith("member-day", (journey) => {
      journey.trigger.schedule = "cron(0 10 * * FRI *)";
    });
    const prose = await problemsWith("member-day", (journey) => {
      journey.trigger.schedule = "every friday";
    });

    // Assess
    expect(fields).toEqual([
      'journeys/member-day.json: trigger.schedule: cron(0 10 * * FRI *): day-of-month "*" and day-of-week "FRI": one of them must be "?"',
    ]);
    expect(prose).toEqual([
      'journeys/member-day.json: trigger.schedule: "every friday" is not a schedule expression: expected cron(...), at(...) or rate(...)',
    ]);
  });

  it("reports a time zone that is neither user nor an IANA zone, with the zone it likely means", async () => {
    // Act
    const lines = await problemsWith("member-day", (journey) => {
      journey.trigger.timezone = "Asia/Shangai";
    });

    // Assess
    expect(lines).toEqual([
      'journeys/member-day.json: trigger.timezone: "Asia/Shangai" is not an IANA time zone (did you mean "Asia/Shanghai"?): expected "user" (each user\'s own zone) or a zone name such as "Asia/Shanghai"',
    ]);
  });

  it("reports a segment with no file in journeys/segments/, with the one it likely means", async () => {
    // Act
    const typo = await problemsWith("member-day", (journey) => {
      journey.trigger.segment = "silver-and-abov";
    });
    const unknown = await problemsWith("member-day", (journey) => {
      journey.trigger.segment = "vip";
    });

    // Assess
    expect(typo).toEqual([
      `journeys/member-day.json: trigger.segment: unknown segment "silver-and-abov" (did you mean "silver-and-above"?): no file journeys/segments/silver-and-abov.json; segments: ${SEGMENTS}`,
    ]);
    expect(unknown).toEqual([
      `journeys/member-day.json: trigger.segment: unknown segment "vip": no file journeys/segments/vip.json; segments: ${SEGMENTS}`,
    ]);
  });

  it("reports a segment when there is no segments folder beside the journeys", async () => {
    // Prepare: the fixture folder without its segments
    const dir = mkdtempSync(join(tmpdir(), "nudge-campaign-"));
    temporary.push(dir);
    cpSync(shop, dir, { recursive: true });
    rmSync(join(dir, "journeys/segments"), { recursive: true });

    // Act
    const { problems } = await validateJourneyFiles([join(dir, "journeys/member-day.json")], dir);

    // Assess
    expect(problems.map(formatProblem)).toEqual([
      'journeys/member-day.json: trigger.segment: unknown segment "silver-and-above": there is no folder journeys/segments/ for segment files',
    ]);
  });

  it("reports a relative time's field that is not an instant of the event, or not its field at all", async () => {
    // Act
    const typo = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.relativeTo.field = "startAt";
    });
    const notAnInstant = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.relativeTo.field = "name";
    });
    const noInstants = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.relativeTo.event = { "detail-type": ["order.payment_failed"] };
    });

    // Assess
    const at = "journeys/presale-warmup.json: trigger.relativeTo.field:";
    expect(typo).toEqual([
      `${at} "startAt" is not a field of promotion.scheduled (did you mean "startsAt"?); its fields holding an instant: ${PROMOTION_INSTANTS}`,
    ]);
    expect(notAnInstant).toEqual([
      `${at} "name" of promotion.scheduled holds no instant; its fields holding an instant: ${PROMOTION_INSTANTS}`,
    ]);
    // (The template's trigger.detail.name is then reported too: order.payment_failed has no name.)
    expect(noInstants.filter((line) => line.startsWith(at))).toEqual([
      `${at} order.payment_failed has no detail field holding an instant (an ISO-8601 time)`,
    ]);
  });

  it("reports a relative time's event type that no catalog entry or journey has, and one it does not pin", async () => {
    // Act
    const typo = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.relativeTo.event = { "detail-type": ["promotion.schedule"] };
    });
    const unpinned = await problemsWith("presale-warmup", (journey) => {
      journey.trigger.relativeTo.event = { detail: { promotionId: [{ exists: true }] } };
    });

    // Assess
    expect(typo).toHaveLength(1);
    expect(typo[0]).toMatch(
      /^journeys\/presale-warmup\.json: trigger\.relativeTo\.event\.detail-type\[0\]: unknown event type "promotion\.schedule" \(did you mean "promotion\.scheduled"\?\): it is not in the event catalog and no journey emits it; /,
    );
    expect(unpinned).toEqual([
      'journeys/presale-warmup.json: trigger.relativeTo.event: a trigger must name its detail-type, e.g. {"detail-type": ["user.registered"]}',
    ]);
  });

  it("reports a campaign keyed by anything but the user", async () => {
    // Act
    const lines = await problemsWith("member-day", (journey) => {
      journey.key = "orderId";
    });

    // Assess
    expect(lines).toEqual([
      'journeys/member-day.json: key: a schedule trigger starts one run per user at each occurrence: expected "userId", got "orderId"',
    ]);
  });

  it("checks the relative campaign's placeholders on its trigger against the event it is relative to", async () => {
    // Prepare: the warm-up's template reads trigger.detail.name; an inline text reads a field the event lacks
    // Act
    const lines = await problemsWith("presale-warmup", (journey) => {
      journey.templates = {
        warmup: { "zh-CN": "{{ trigger.detail.title }} 即将开始", en: "{{ trigger.detail.title }} is coming" },
      };
    });

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /"trigger\.detail\.title" can never be filled: "title" is not a field of promotion\.scheduled/,
    );
  });
});

describe("the catalog's fields holding an instant", () => {
  it("are exactly those whose sample value the catalog refuses when it is not an ISO-8601 time", () => {
    // Prepare: each catalog type's sample event, one detail field at a time set to a text that is no time
    const found: Record<string, string[]> = {};
    for (const type of DETAIL_TYPES) {
      const sample = JSON.parse(readFileSync(`${root}events/samples/${type}.json`, "utf8"));
      // Act
      for (const field of detailFields(type)) {
        const result = parseEvent({ ...sample, detail: { ...sample.detail, [field]: "soon" } });
        const refusedAsTime = !result.ok && result.error.message.includes("is not an ISO-8601 date-time");
        if (refusedAsTime) found[type] = [...(found[type] ?? []), field];
      }
    }

    // Assess
    expect(found).toEqual(INSTANT_FIELDS);
  });
});

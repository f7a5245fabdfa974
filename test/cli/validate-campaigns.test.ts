import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../functions/cli/args.ts";
import { ExitCode } from "../../functions/cli/io.ts";
import { validateCommand } from "../../functions/cli/validate.ts";
import { capture, root } from "./capture-io.ts";

/**
 * `nudge validate` on campaigns (issue 16): after its `ok:` line, a line per campaign with its next 5
 * occurrences, or when an event-relative one falls, counted from `--now`. The fixture folder is
 * test/fixtures/journeys/campaigns (member-day: Fridays 10:00 in each user's zone; presale-warmup: 7 days before
 * a promotion's startsAt at 10:00); it has no policy.json, so the platform's default zone is Asia/Shanghai.
 */

const shop = join(root, "test/fixtures/journeys/campaigns");
const NOW = "2026-12-03T13:00:00Z";
const OK = "ok: 2 journeys and the policy file valid";
const WARMUP = "presale-warmup: 7 days before promotion.scheduled's startsAt, at 10:00 (each user's own time zone)";

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the fixture folder with member-day's trigger changed. */
function shopWithMemberDay(trigger: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "nudge-validate-campaigns-"));
  temporary.push(dir);
  cpSync(shop, dir, { recursive: true });
  const file = join(dir, "journeys/member-day.json");
  const journey = JSON.parse(readFileSync(file, "utf8"));
  journey.trigger = { ...journey.trigger, ...trigger };
  writeFileSync(file, JSON.stringify(journey));
  return dir;
}

describe("nudge validate on campaigns", () => {
  it("shows member day's next 5 Fridays at 10:00 in each user's own zone, and when the warm-up falls", async () => {
    // Prepare: Thursday 2026-12-03, 21:00 in Shanghai
    const io = capture(shop);

    // Act
    const code = await validateCommand(["--now", NOW], io);

    // Assess
    expect({ code, out: io.out, err: io.err }).toEqual({
      code: ExitCode.ok,
      out: [
        OK,
        "member-day: next 5: 2026-12-04 10:00, 2026-12-11 10:00, 2026-12-18 10:00, 2026-12-25 10:00, 2027-01-01 10:00 (each user's own time zone)",
        WARMUP,
      ],
      err: [],
    });
  });

  it("shows a fixed zone's wall-clock times and names the zone, across its daylight-saving change", async () => {
    // Prepare: Los Angeles leaves daylight-saving time on 2026-11-01
    const io = capture(shopWithMemberDay({ timezone: "America/Los_Angeles" }));

    // Act
    const code = await validateCommand(["--now", "2026-10-26T00:00:00Z"], io);

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(io.out[1]).toBe(
      "member-day: next 5: 2026-10-30 10:00, 2026-11-06 10:00, 2026-11-13 10:00, 2026-11-20 10:00, 2026-11-27 10:00 (America/Los_Angeles)",
    );
  });

  it("shows a one-off send's single occurrence, and none once it has passed", async () => {
    // Prepare
    const ahead = capture(shopWithMemberDay({ schedule: "at(2027-11-11T00:00:00)", timezone: "Asia/Shanghai" }));
    const passed = capture(shopWithMemberDay({ schedule: "at(2026-11-11T00:00:00)", timezone: "Asia/Shanghai" }));

    // Act
    await validateCommand(["--now", NOW], ahead);
    await validateCommand(["--now", NOW], passed);

    // Assess
    expect(ahead.out[1]).toBe("member-day: next 1: 2027-11-11 00:00 (Asia/Shanghai)");
    expect(passed.out[1]).toBe("member-day: no occurrence after 2026-12-03 21:00 (Asia/Shanghai)");
  });

  it("shows a rate's occurrences in UTC, the same instants for every user", async () => {
    // Prepare
    const io = capture(shopWithMemberDay({ schedule: "rate(12 hours)" }));

    // Act
    await validateCommand(["--now", NOW], io);

    // Assess: a rate without a start counts from now
    expect(io.out[1]).toBe(
      "member-day: next 5: 2026-12-04 01:00, 2026-12-04 13:00, 2026-12-05 01:00, 2026-12-05 13:00, 2026-12-06 01:00 (UTC: a rate runs at the same instants for every user)",
    );
  });

  it("shows the campaigns among the files named, and none when a file has a problem", async () => {
    // Prepare
    const named = capture(shop);
    const broken = capture(shopWithMemberDay({ schedule: "cron(0 10 ? * FRI)" }));

    // Act
    const namedCode = await validateCommand(["journeys/member-day.json", "--now", NOW], named);
    const brokenCode = await validateCommand(["--now", NOW], broken);

    // Assess
    expect(namedCode).toBe(ExitCode.ok);
    expect(named.out).toEqual([
      "ok: 1 journey valid",
      "member-day: next 5: 2026-12-04 10:00, 2026-12-11 10:00, 2026-12-18 10:00, 2026-12-25 10:00, 2027-01-01 10:00 (each user's own time zone)",
    ]);
    expect({ brokenCode, out: broken.out, err: broken.err }).toEqual({
      brokenCode: ExitCode.failed,
      out: [],
      err: [
        "journeys/member-day.json: trigger.schedule: cron(0 10 ? * FRI): a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), found 5",
      ],
    });
  });

  it("counts from the real clock without --now", async () => {
    // Prepare
    const io = capture(shop);
    const today = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

    // Act
    await validateCommand([], io);

    // Assess: five Fridays at 10:00, the first no earlier than yesterday (UTC) and at most a week ahead
    const line = io.out[1] ?? "";
    expect(line).toMatch(
      /^member-day: next 5: (\d{4}-\d{2}-\d{2} 10:00, ){4}\d{4}-\d{2}-\d{2} 10:00 \(each user's own time zone\)$/,
    );
    const first = line.slice("member-day: next 5: ".length, "member-day: next 5: ".length + 10);
    expect(first >= today).toBe(true);
    expect(Date.parse(first) - Date.now()).toBeLessThan(8 * 86_400_000);
    expect(new Date(first).getUTCDay()).toBe(5);
  });

  it("refuses a --now that is not an ISO-8601 instant", async () => {
    // Act
    const run = validateCommand(["--now", "tomorrow"], capture(shop));

    // Assess
    await expect(run).rejects.toThrow(
      new UsageError('--now: expected an ISO-8601 instant such as "2026-12-01T00:00:00Z", got "tomorrow"'),
    );
  });
});

it("shows the repository's own campaigns: member-day with its next 5 Fridays, presale-warmup with its rule", async () => {
  // Prepare
  const io = capture();

  // Act
  await validateCommand(["--now", NOW], io);

  // Assess
  expect(io.out).toHaveLength(3);
  expect(io.out[0]).toMatch(/^ok: \d+ journeys and the policy file valid$/);
  expect(io.out.slice(1)).toEqual([
    "member-day: next 5: 2026-12-04 10:00, 2026-12-11 10:00, 2026-12-18 10:00, 2026-12-25 10:00, 2027-01-01 10:00 (each user's own time zone)",
    "presale-warmup: 7 days before promotion.scheduled's startsAt, at 10:00 (each user's own time zone)",
  ]);
});

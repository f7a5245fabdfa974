import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../functions/cli/args.ts";
import { ExitCode } from "../../functions/cli/io.ts";
import { main } from "../../functions/cli/main.ts";
import { validateCommand } from "../../functions/cli/validate.ts";
import { isJourneyFileName } from "../../functions/journey/load.ts";
import { capture, root } from "./capture-io.ts";

const fixtures = "test/fixtures/journeys";
/** What `nudge validate` says of the repository's journeys/: every journey file in it, each version's file counted. */
/** A Thursday: the shipped member-day campaign's next Fridays follow. */
const NOW = "2026-12-03T13:00:00Z";
const MEMBER_DAY_LINE =
  "member-day: next 5: 2026-12-04 10:00, 2026-12-11 10:00, 2026-12-18 10:00, 2026-12-25 10:00, 2027-01-01 10:00 (each user's own time zone)";
const PRESALE_LINE =
  "presale-warmup: 7 days before promotion.scheduled's startsAt, at 10:00 (each user's own time zone)";
const OK_LINE = `ok: ${readdirSync(join(root, "journeys")).filter(isJourneyFileName).length} journeys and the policy file valid`;

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe("nudge validate", () => {
  it("checks every journey in journeys/ by default", async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await validateCommand(["--now", NOW], io);

    // Assess: the ok line, then the shipped campaigns: member-day's next Fridays, presale-warmup's rule
    expect({ code, out: io.out, err: io.err }).toEqual({
      code: ExitCode.ok,
      out: [OK_LINE, MEMBER_DAY_LINE, PRESALE_LINE],
      err: [],
    });
  });

  it("prints exactly one line per problem and exits 1", async () => {
    // Prepare
    const io = capture(join(root, fixtures, "bad-duration"));

    // Act
    const code = await validateCommand([], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.out).toEqual([]);
    expect(io.err).toEqual([
      'journeys/dormancy-reactivation.json: steps[2].for: expected an ISO-8601 duration such as "P3D", got "3 days"',
    ]);
  });

  it("checks the files given, named relative to the working folder", async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await validateCommand([`./${fixtures}/bad-key.json`, `${root}${fixtures}/unknown-template.json`], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual([
      `${fixtures}/bad-key.json: key: "couponId" is not a field of user.registered; its fields: userId, locale, timezone, channel, email, phone, attributes`,
      `${fixtures}/unknown-template.json: steps[0].template: unknown template "welcom" (did you mean "welcome"?): neither a "templates" entry nor a file ${fixtures}/templates/welcom.json; templates: welcome`,
    ]);
  });

  it("refuses a pattern EventBridge would refuse when the rule is created: too complex a wildcard (issue 19, case 2)", async () => {
    // Prepare: an anything-but wildcard of complexity 11, which Event Ruler counts as EventBridge does
    const io = capture();

    // Act
    const code = await validateCommand([`${fixtures}/too-complex-wildcard.json`], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual([
      `${fixtures}/too-complex-wildcard.json: trigger.pattern: detail.email[0].anything-but.wildcard: rule is too complex (wildcard complexity 11 or more, EventBridge allows at most 10): use fewer wildcard characters or fewer repeating character sequences after a wildcard`,
    ]);
  });

  it("counts the event types the journeys in journeys/ emit when checking other files", async () => {
    // Prepare: vip-listener.json reacts to vip.promoted, which journeys/emitter.json emits
    const io = capture(join(root, fixtures, "siblings"));

    // Act
    const code = await validateCommand(["vip-listener.json"], io);

    // Assess
    expect({ code, out: io.out, err: io.err }).toEqual({ code: ExitCode.ok, out: ["ok: 1 journey valid"], err: [] });
  });

  it("checks the template files beside the journeys, and warns of those no journey sends", async () => {
    // Prepare
    const io = capture(join(root, fixtures, "file-templates"));

    // Act
    const code = await validateCommand([], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toHaveLength(12);
    expect(io.err.filter((line) => line.startsWith("journeys/templates/"))).toHaveLength(6);
    expect(io.err.at(-1)).toBe(
      'journeys/templates/unused.json: warning: no journey sends template "unused"; name it in a send step\'s "template", or remove the file',
    );
  });

  it("reports the template files beside a journey named on the command line, with no unused-file warnings", async () => {
    // Prepare
    const io = capture(join(root, fixtures, "file-templates"));

    // Act
    const code = await validateCommand(["journeys/file-templates.json"], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err.filter((line) => line.startsWith("journeys/file-templates.json: "))).toHaveLength(4);
    expect(io.err.filter((line) => line.startsWith("journeys/templates/"))).toEqual([
      "journeys/templates/bad-liquid.json: locales.en.title: Liquid syntax error: undefined filter: shout, line:1, col:7",
      'journeys/templates/english-first.json: locales.zh-CN: unknown field "subject"',
      'journeys/templates/english-first.json: locales: expected "zh-CN" (the default locale) as the first locale, got "en"',
      'journeys/templates/wrong-id.json: id: the id "right-id" differs from the file name: expected "wrong-id" (send steps find a template by its file name)',
    ]);
  });

  it("reports a file it cannot read as a problem of that file", async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await validateCommand(["journeys/missing.json"], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual(["journeys/missing.json: cannot read: ENOENT"]);
  });

  it("throws a UsageError for an unknown option, which main turns into exit 2 with the usage", async () => {
    // Prepare
    const io = capture();

    // Act
    const direct = validateCommand(["--strict"], capture());
    const code = await main(["validate", "--strict"], io);

    // Assess
    await expect(direct).rejects.toThrow(new UsageError("unknown option --strict"));
    expect(code).toBe(ExitCode.usage);
    expect(io.err).toEqual([
      "nudge validate: unknown option --strict\nUsage: nudge validate [files...] [--now <ISO time>]",
    ]);
  });

  it("exits 2 when there is no journeys/ folder to check", async () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), "nudge-validate-"));
    temporary.push(cwd);
    const io = capture(cwd);

    // Act
    const code = await main(["validate"], io);

    // Assess
    expect(code).toBe(ExitCode.usage);
    expect(io.err[0]).toMatch(/^nudge validate: cannot read journeys\/: ENOENT\n/);
  });

  it("runs from the real binary and exits 0 on the seed journeys", () => {
    // Act
    const args = ["bin/nudge.mjs", "validate", "--now", NOW];
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });

    // Assess
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: `${OK_LINE}\n${MEMBER_DAY_LINE}\n${PRESALE_LINE}\n`,
      stderr: "",
    });
  });

  it("checks the platform's policy file, named or beside the journeys, naming every problem", async () => {
    // Prepare: a policy file with an impossible time and a misspelt key.
    const dir = mkdtempSync(join(tmpdir(), "nudge-policy-"));
    writeFileSync(join(dir, "policy.json"), JSON.stringify({ quietHours: { start: "25:00", end: "09:00" }, capz: [] }));
    const io = capture();
    // Act
    const code = await main(["validate", join(dir, "policy.json")], io);
    const good = capture();
    const goodCode = await main(["validate", "journeys/policy.json"], good);
    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual([
      `${relative(root, join(dir, "policy.json"))}: quietHours.start: expected a time of day HH:MM, such as 21:00`,
      `${relative(root, join(dir, "policy.json"))}: unknown field "capz" (did you mean "caps"?)`,
    ]);
    expect({ goodCode, out: good.out }).toEqual({ goodCode: ExitCode.ok, out: ["ok: the policy file valid"] });
  });

  it("checks the platform's traits file, named or beside the journeys: its shape, then what its traits read", async () => {
    // Prepare: a misspelt key; then a score of a trait no trait defines, and two traits reading each other.
    const dir = mkdtempSync(join(tmpdir(), "nudge-traits-"));
    const file = join(dir, "traits.json");
    const at = relative(root, file);
    writeFileSync(
      file,
      JSON.stringify({ traits: { orders: { kind: "count", event: "order.placed", windw: "P30D" } } }),
    );
    const shape = capture();
    const shapeCode = await main(["validate", file], shape);
    writeFileSync(
      file,
      JSON.stringify({
        traits: {
          value: { kind: "score", terms: [{ trait: "spend", weight: 1 }] },
          a: { kind: "score", terms: [{ trait: "b", weight: 1 }] },
          b: { kind: "score", terms: [{ trait: "a", weight: 1 }] },
        },
      }),
    );
    const reads = capture();
    // Act
    const readsCode = await main(["validate", file], reads);
    const good = capture();
    const goodCode = await main(["validate", "journeys/traits.json"], good);
    // Assess
    expect({ shapeCode, err: shape.err }).toEqual({
      shapeCode: ExitCode.failed,
      err: [`${at}: traits.orders: unknown field "windw" (did you mean "window"?)`],
    });
    expect({ readsCode, err: reads.err }).toEqual({
      readsCode: ExitCode.failed,
      err: [
        `${at}: traits.value: reads "spend", which no trait defines`,
        `${at}: traits.a: traits read each other in a loop: a → b → a`,
      ],
    });
    expect({ goodCode, out: good.out }).toEqual({ goodCode: ExitCode.ok, out: ["ok: the traits file valid"] });
  });
});

describe("nudge validate, one pass (issue 14)", () => {
  const known = (ids: string) => `known steps: ${ids}`;
  const coupon = known("issue-welcome-coupon, coupon-issued, send-welcome, send-welcome-without-coupon");

  it("reports every problem of every file at once, each root cause once, and warns only of a template file no journey names", async () => {
    // Prepare: a typo'd next (close to a step), a schema error beside a typo'd step id in one file that sends
    // the comeback template, a next close to no step, and a template file no journey names.
    const io = capture(join(root, fixtures, "one-pass"));

    // Act
    const code = await validateCommand([], io);

    // Assess: no "unreachable", no "coupon.code can never be filled", no warning to remove comeback.json.
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual([
      `journeys/a-typo-next.json: steps[0].next: unknown step "coupon-isued" (did you mean "coupon-issued"?); ${coupon}`,
      'journeys/b-schema-and-typo.json: steps[2].for: expected an ISO-8601 duration such as "P3D", got "7 days"',
      `journeys/b-schema-and-typo.json: steps[1].next: unknown step "wait-7-dys" (did you mean "wait-7-days"?); ${known("issue-comeback-coupon, send-comeback, wait-7-days")}`,
      `journeys/c-lost-link.json: steps[0].next: unknown step "celebrate"; ${coupon}`,
      'journeys/templates/leftover.json: warning: no journey sends template "leftover"; name it in a send step\'s "template", or remove the file',
    ]);
  });

  it("suggests the field or value a misspelt one is likely meant to be, in journeys and the policy file", async () => {
    // Prepare: the shipped new-user-coupon with a misspelt policy value, policy field and step field.
    const dir = mkdtempSync(join(tmpdir(), "nudge-typos-"));
    temporary.push(dir);
    const journey = JSON.parse(readFileSync(join(root, "journeys/new-user-coupon.json"), "utf8"));
    journey.policy.whenCapped = "deffer";
    journey.policy.inQuietHour = "drop";
    journey.steps[2].nxt = "send-welcome-without-coupon";
    writeFileSync(join(dir, "journey.json"), JSON.stringify(journey));
    writeFileSync(join(dir, "policy.json"), JSON.stringify({ defaultTimezone: "Asia/Shanghai", cap: [] }));
    const io = capture(dir);

    // Act
    const code = await validateCommand(["journey.json", "policy.json"], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual([
      'journey.json: policy.whenCapped: expected one of "defer", "drop", got "deffer" (did you mean "defer"?)',
      'journey.json: policy: unknown field "inQuietHour" (did you mean "inQuietHours"?)',
      'journey.json: steps[2]: unknown field "nxt" (did you mean "next"?)',
      'policy.json: unknown field "cap" (did you mean "caps"?)',
    ]);
  });
});

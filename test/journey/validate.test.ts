import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatProblem, journeyFilesIn, loadJourneyFiles } from "../../functions/journey/load.ts";
import { checkJourneys, validateJourneyFiles } from "../../functions/journey/validate.ts";
import { SEED_JOURNEY_IDS } from "../scenarios/helpers.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = "test/fixtures/journeys";
const CATALOG =
  "user.registered, user.updated, user.unsubscribed, user.subscribed, order.placed, order.delivered, order.refunded, order.payment_failed, order.deposit_paid, coupon.issued, coupon.redeemed, promotion.scheduled, promotion.ended, review.posted, user.checked_in, cart.item_added, product.favorited, journey.paused, segment.entered, segment.exited, trait.changed, wechat.subscription_granted, message.requested, inbox.message_seen, inbox.message_clicked, inbox.message_dismissed";

/** The problem lines `nudge validate` would print for fixture files validated together. */
async function problemLines(...names: string[]): Promise<string[]> {
  const { problems } = await validateJourneyFiles(
    names.map((name) => `${root}${fixtures}/${name}.json`),
    root,
  );
  return problems.map(formatProblem);
}

describe("the seed journeys", () => {
  it("pass every check", async () => {
    // Prepare
    const files = await journeyFilesIn(`${root}journeys`);

    // Act
    const result = await validateJourneyFiles(files, root);

    // Assess
    expect(result.problems.map(formatProblem)).toEqual([]);
    // Every file's journey, in the files' order (a version kept for its runs in flight has its own file), and
    // every shipped journey among them.
    const ids = result.journeys.map((j) => j.journey.id);
    expect(ids).toEqual(files.map((file) => JSON.parse(readFileSync(file, "utf8")).id));
    expect(new Set(ids)).toEqual(new Set(SEED_JOURNEY_IDS));
  });
});

describe("schema problems", () => {
  it("reports a duration that is not ISO-8601 at its JSON path", async () => {
    // Prepare
    const cwd = `${root}${fixtures}/bad-duration`;

    // Act
    const { journeys, problems } = await validateJourneyFiles(await journeyFilesIn(`${cwd}/journeys`), cwd);

    // Assess
    expect(problems.map(formatProblem)).toEqual([
      'journeys/dormancy-reactivation.json: steps[2].for: expected an ISO-8601 duration such as "P3D", got "3 days"',
    ]);
    expect(journeys).toEqual([]);
  });
});

describe("step links", () => {
  it("reports every link to an unknown step, listing the known ones", async () => {
    // Act
    const lines = await problemLines("unknown-steps");

    // Assess
    const known = "known steps: wait-for-order, choose, ab, send-reminder";
    expect(lines).toEqual([
      `${fixtures}/unknown-steps.json: start: unknown step "begin"; ${known}`,
      `${fixtures}/unknown-steps.json: steps[0].onEvent: unknown step "thank"; ${known}`,
      `${fixtures}/unknown-steps.json: steps[0].onTimeout: unknown step "sned-reminder" (did you mean "send-reminder"?); ${known}`,
      `${fixtures}/unknown-steps.json: steps[1].branches[0].next: unknown step "vip"; ${known}`,
      `${fixtures}/unknown-steps.json: steps[2].variants[1].next: unknown step "nowhere"; ${known}`,
    ]);
  });

  it("reports a duplicate step id on the second step", async () => {
    // Act
    const lines = await problemLines("duplicate-step");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/duplicate-step.json: steps[2].id: duplicate step id "send", already used by steps[0]; step ids must be unique`,
    ]);
  });

  it("reports steps no path from the start leads to", async () => {
    // Act
    const lines = await problemLines("unreachable");

    // Assess
    const why = 'no path leads to it from the start step "send-hello"; link to it from another step, or remove it';
    expect(lines).toEqual([
      `${fixtures}/unreachable.json: steps[1]: step "wait-a-day" is unreachable: ${why}`,
      `${fixtures}/unreachable.json: steps[2]: step "send-again" is unreachable: ${why}`,
    ]);
  });

  it("reports loops through no wait or wait-for-event step, a wait-until not counting", async () => {
    // Act
    const lines = await problemLines("loop-without-wait");

    // Assess: the loop through wait-a-day is fine
    expect(lines).toEqual([
      `${fixtures}/loop-without-wait.json: steps[5]: step "again" is unreachable: no path leads to it from the start step "send-tip"; link to it from another step, or remove it`,
      `${fixtures}/loop-without-wait.json: steps[2].branches[0].next: loop with no wait: send-tip -> wait-until-expiry -> check -> send-tip; a run would go round it without pause. Put a "wait" or "wait-for-event" step in it (a "wait-until" whose time has passed continues at once)`,
      `${fixtures}/loop-without-wait.json: steps[5].next: loop with no wait: again -> again; a run would go round it without pause. Put a "wait" or "wait-for-event" step in it`,
    ]);
  });
});

describe("event types", () => {
  it("reports types neither in the catalog nor emitted, in every kind of pattern", async () => {
    // Act
    const lines = await problemLines("unknown-event-types");

    // Assess
    const why = `it is not in the event catalog and no journey emits it; catalog types: ${CATALOG}`;
    expect(lines).toEqual([
      `${fixtures}/unknown-event-types.json: exitOn[0].detail-type[1]: unknown event type "order.refundd" (did you mean "order.refunded"?): ${why}`,
      `${fixtures}/unknown-event-types.json: exitOn[1].$or[1].detail-type[0]: unknown event type "user.deleted": ${why}`,
      `${fixtures}/unknown-event-types.json: goal.pattern.detail-type[0]: unknown event type "review.post" (did you mean "review.posted"?): ${why}`,
      `${fixtures}/unknown-event-types.json: steps[0].pattern.detail-type[0]: unknown event type "vip.promoted": ${why}`,
    ]);
  });

  it("knows a type another loaded journey emits, and the fields it gives it", async () => {
    // Act
    const alone = await problemLines("listener");
    const together = await problemLines("emitter", "listener");

    // Assess
    expect(alone).toEqual([
      `${fixtures}/listener.json: trigger.pattern.detail-type[0]: unknown event type "vip.promoted": it is not in the event catalog and no journey emits it; catalog types: ${CATALOG}`,
    ]);
    expect(together).toEqual([
      `${fixtures}/listener.json: templates.congrats.zh-CN: "trigger.detail.tier" can never be filled: "tier" is not a field of vip.promoted; its fields: userId, level`,
    ]);
  });

  it("requires a trigger to name its detail-type", async () => {
    // Act
    const lines = await problemLines("unpinned-trigger");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/unpinned-trigger.json: trigger.pattern: a trigger must name its detail-type, e.g. {"detail-type": ["user.registered"]}`,
    ]);
  });
});

describe("the key", () => {
  it("must be a field of the trigger's event type", async () => {
    // Act
    const lines = await problemLines("bad-key");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/bad-key.json: key: "couponId" is not a field of user.registered; its fields: userId, locale, timezone, channel, email, phone, attributes`,
    ]);
  });

  it("must be userId for an inactivity trigger", async () => {
    // Act
    const lines = await problemLines("inactivity-key");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/inactivity-key.json: key: an inactivity trigger keys its runs by user: expected "userId", got "orderId"`,
    ]);
  });
});

describe("templates and placeholders", () => {
  it("reports a send step naming a template that is not there", async () => {
    // Act
    const lines = await problemLines("unknown-template");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/unknown-template.json: steps[0].template: unknown template "welcom" (did you mean "welcome"?): neither a "templates" entry nor a file ${fixtures}/templates/welcom.json; templates: welcome`,
    ]);
  });

  it("reports a Liquid syntax error, and an unknown filter, per locale", async () => {
    // Act
    const lines = await problemLines("liquid-syntax");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/liquid-syntax.json: templates.welcome.zh-CN: Liquid syntax error: output "{{ profile.userId " not closed, line:1, col:4`,
      `${fixtures}/liquid-syntax.json: templates.welcome.en: Liquid syntax error: undefined filter: shout, line:1, col:9`,
    ]);
  });

  it("accepts what the run's context holds and reports, once each, what it never can", async () => {
    // Act: the zh-CN text reads only fillable paths (loop variables included), the en text none
    const lines = await problemLines("placeholders");

    // Assess
    const at = `${fixtures}/placeholders.json: templates.thanks.en:`;
    expect(lines).toEqual([
      `${at} "user.name" can never be filled: "user" is not in the run's context; a placeholder starts with profile, trigger, event, steps, coupon, journey, run`,
      `${at} "profile.nickname" can never be filled: "nickname" is not a profile field; profile fields: userId, registeredAt, locale, timezone, channel, email, phone, attributes, consent, orderCount, totalSpent, firstOrderAt, lastOrderAt, traits, segments`,
      `${at} "trigger.detail.rating" can never be filled: "rating" is not a field of order.placed; its fields: userId, orderId, amount, currency, couponIds, promotionId`,
      `${at} "trigger.origin" can never be filled: "origin" is not a trigger event field; trigger event fields: id, source, time, detail-type, detail, version, account, region, resources`,
      `${at} "event.detail.score" can never be filled: "score" is not a field of order.placed or review.posted; their fields: userId, orderId, amount, currency, couponIds, promotionId, rating, photoCount`,
      `${at} "coupon.code" can never be filled: the journey has no issue-coupon step, so a run has no coupon`,
      `${at} "steps.send-thanks.id" can never be filled: step "send-thanks" is a send step, which records nothing; only issue-coupon, split and branch steps do`,
      `${at} "steps.choose" can never be filled: no step "choose"; steps that record something (issue-coupon, split, branch): pick`,
      `${at} "steps.pick.name" can never be filled: "name" is not recorded by the split step "pick"; it records variant`,
      `${at} "journey.owner" can never be filled: "owner" is not a journey field; journey fields: id, version, name`,
      `${at} "run.startedAt" can never be filled: "startedAt" is not a run field; run fields: id, enteredAt, key, holdout`,
    ]);
  });

  it("checks coupon fields and what an issue-coupon step records", async () => {
    // Act
    const lines = await problemLines("coupon");

    // Assess
    const coupon = "couponId, code, amountOff, currency, freeShipping, minSpend, expiresAt";
    expect(lines).toEqual([
      `${fixtures}/coupon.json: templates.code.zh-CN: "coupon.cod" can never be filled: "cod" is not a coupon field (did you mean "code"?); coupon fields: ${coupon}`,
      `${fixtures}/coupon.json: templates.code.zh-CN: "steps.issue.value" can never be filled: "value" is not recorded by the issue-coupon step "issue"; it records ${coupon}`,
    ]);
  });

  it("checks the time paths of wait-until and send.validUntil", async () => {
    // Act
    const lines = await problemLines("time-paths");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/time-paths.json: steps[0].time: "trigger.detail.expiresOn" can never be filled: "expiresOn" is not a field of coupon.issued (did you mean "expiresAt"?); its fields: userId, couponId, code, amountOff, expiresAt, minSpend, freeShipping`,
      `${fixtures}/time-paths.json: steps[1].validUntil.time: "coupon.expiresAt" can never be filled: the journey has no issue-coupon step, so a run has no coupon`,
    ]);
  });

  it("checks placeholders in emitted details and profile attributes", async () => {
    // Act
    const lines = await problemLines("emitted-values");

    // Assess
    expect(lines).toEqual([
      `${fixtures}/emitted-values.json: steps[0].attributes.referrer: "trigger.detail.referrer" can never be filled: "referrer" is not a field of user.registered; its fields: userId, locale, timezone, channel, email, phone, attributes`,
      `${fixtures}/emitted-values.json: steps[1].detail.name: "profile.nmae" can never be filled: "nmae" is not a profile field; profile fields: userId, registeredAt, locale, timezone, channel, email, phone, attributes, consent, orderCount, totalSpent, firstOrderAt, lastOrderAt, traits, segments`,
    ]);
  });
});

describe("across files", () => {
  it("reports a journey id and version defined twice on the second file, and returns only the first", async () => {
    // Prepare
    const paths = ["duplicate-a", "duplicate-b"].map((name) => `${root}${fixtures}/${name}.json`);

    // Act
    const { journeys, problems } = await validateJourneyFiles(paths, root);

    // Assess
    expect(problems.map(formatProblem)).toEqual([
      `${fixtures}/duplicate-b.json: version: journey "same-journey" version 1 is already defined in ${fixtures}/duplicate-a.json; raise the version of a changed journey, or give a new journey its own id`,
    ]);
    expect(journeys.map((j) => j.file)).toEqual([`${fixtures}/duplicate-a.json`]);
  });

  it("returns only the journeys without problems, and every file's problems grouped in the order given", async () => {
    // Prepare
    const names = ["bad-key", "emitter", "unknown-template"];

    // Act
    const { journeys, problems } = await validateJourneyFiles(
      names.map((name) => `${root}${fixtures}/${name}.json`),
      root,
    );

    // Assess
    expect(journeys.map((j) => j.journey.id)).toEqual(["emitter"]);
    expect(problems.map((p) => p.file)).toEqual([`${fixtures}/bad-key.json`, `${fixtures}/unknown-template.json`]);
  });

  it("checkJourneys takes journeys already loaded", async () => {
    // Prepare
    const { journeys } = await loadJourneyFiles([`${root}${fixtures}/bad-key.json`], root);

    // Act
    const problems = checkJourneys(journeys);

    // Assess
    expect(problems).toEqual([
      {
        file: `${fixtures}/bad-key.json`,
        path: "key",
        message:
          '"couponId" is not a field of user.registered; its fields: userId, locale, timezone, channel, email, phone, attributes',
      },
    ]);
  });
});

describe("one pass, each root cause once (issue 14)", () => {
  const onePass = `${root}${fixtures}/one-pass`;

  it("follows a typo'd link to the step it likely means: no unreachable steps, no unfillable coupon fields", async () => {
    // Act
    const { problems } = await validateJourneyFiles([`${onePass}/journeys/a-typo-next.json`], onePass);

    // Assess
    expect(problems.map(formatProblem)).toEqual([
      'journeys/a-typo-next.json: steps[0].next: unknown step "coupon-isued" (did you mean "coupon-issued"?); known steps: issue-welcome-coupon, coupon-issued, send-welcome, send-welcome-without-coupon',
    ]);
  });

  it("claims nothing of the steps after a link that names no step near any", async () => {
    // Act
    const { problems, journeys } = await validateJourneyFiles([`${onePass}/journeys/c-lost-link.json`], onePass);

    // Assess
    expect(problems.map((problem) => problem.path)).toEqual(["steps[0].next"]);
    expect(journeys).toEqual([]);
  });

  it("checks the step links of a journey its schema refuses, and counts the templates it names as used", async () => {
    // Act
    const { problems, warnings } = await validateJourneyFiles([`${onePass}/journeys/b-schema-and-typo.json`], onePass);

    // Assess
    expect(problems.map((problem) => `${problem.path}: ${problem.message.split(";")[0]}`)).toEqual([
      'steps[2].for: expected an ISO-8601 duration such as "P3D", got "7 days"',
      'steps[1].next: unknown step "wait-7-dys" (did you mean "wait-7-days"?)',
    ]);
    expect(warnings.map((warning) => warning.file)).not.toContain("journeys/templates/comeback.json");
  });

  it("does not call a template file unused when a send step names it with a typo, nor beside a file that is not JSON", async () => {
    // Prepare: the one-pass folder, plus a journey sending "leftovr" (for "leftover"), then plus a broken file.
    const dir = mkdtempSync(join(tmpdir(), "nudge-one-pass-"));
    cpSync(onePass, dir, { recursive: true });
    const journey = JSON.parse(readFileSync(`${onePass}/journeys/a-typo-next.json`, "utf8"));
    journey.id = "typo-template";
    journey.steps[0].next = "coupon-issued";
    journey.steps[2].template = "leftovr";
    writeFileSync(join(dir, "journeys/d-typo-template.json"), JSON.stringify(journey));
    const files = async () => journeyFilesIn(join(dir, "journeys"));

    // Act
    const typo = await validateJourneyFiles(await files(), dir);
    writeFileSync(join(dir, "journeys/e-not-json.json"), "{ oops");
    const notJson = await validateJourneyFiles(await files(), dir);

    // Assess
    expect(typo.problems.map(formatProblem)).toContainEqual(
      expect.stringMatching(
        /^journeys\/d-typo-template\.json: steps\[2\]\.template: unknown template "leftovr" \(did you mean "leftover"\?\)/,
      ),
    );
    expect(typo.warnings).toEqual([]);
    expect(notJson.warnings).toEqual([]);
  });
});

describe("the computed traits a journey reads (issue 15)", () => {
  const shop = `${root}${fixtures}/traits`;
  const TRAITS = "spendTotal, lastOrderAt, checkinStreak, checkedInToday, checkinDays, growthValue, growthTier";
  const notDefined = (name: string, meant?: string) =>
    `"${name}" is not a trait journeys/traits.json defines${meant === undefined ? "" : ` (did you mean "${meant}"?)`}; its traits: ${TRAITS}`;
  /** The problem lines of fixture journeys of the traits folder, validated with every journey of that folder. */
  async function traitLines(cwd: string, name: string): Promise<string[]> {
    const { problems } = await validateJourneyFiles(await journeyFilesIn(`${cwd}/journeys`), cwd);
    return problems.map(formatProblem).filter((line) => line.startsWith(`journeys/${name}.json: `));
  }

  it("passes a journey whose conditions, placeholders and template files read only traits traits.json defines", async () => {
    // Prepare: its audience reads a trait and the segments, a branch a streak's day flag and (in $or) a score's
    // tier, its template file and profile attributes a streak, its validUntil a last-event time.
    const file = `${shop}/journeys/streak-reminder.json`;

    // Act
    const { journeys, problems } = await validateJourneyFiles([file], shop);

    // Assess
    expect(problems.map(formatProblem)).toEqual([]);
    expect(journeys.map((entry) => entry.journey.id)).toEqual(["streak-reminder"]);
  });

  it("reports a trait a template file reads on the step that sends it, and every other placeholder reading one", async () => {
    // Act
    const lines = await traitLines(shop, "tier-up-placeholders");

    // Assess: the template's growthTier and growthValue, and the emitted tier, are defined
    const send =
      'journeys/tier-up-placeholders.json: steps[0].template: step "send-tier-up", template "tier-up-typo" (journeys/templates/tier-up-typo.json), locale "en", body:';
    expect(lines).toEqual([
      `${send} "profile.traits.growthValu" can never be filled: ${notDefined("growthValu", "growthValue")}`,
      `journeys/tier-up-placeholders.json: steps[1].attributes.tierSeen: "profile.traits.growthTeir" can never be filled: ${notDefined("growthTeir", "growthTier")}`,
      `journeys/tier-up-placeholders.json: steps[2].time: "profile.traits.lastOrdeAt" can never be filled: ${notDefined("lastOrdeAt", "lastOrderAt")}`,
      `journeys/tier-up-placeholders.json: steps[3].detail.value: "profile.traits.score" can never be filled: ${notDefined("score")}`,
    ]);
  });

  it("reports a trait a branch condition reads at its key, in $or too", async () => {
    // Act
    const lines = await traitLines(shop, "streak-branch");

    // Assess: growthTier and the segments beside it are fine
    expect(lines).toEqual([
      `journeys/streak-branch.json: steps[0].branches[0].condition.profile.traits.checkedInTodya: reads profile.traits.checkedInTodya: ${notDefined("checkedInTodya", "checkedInToday")}`,
      `journeys/streak-branch.json: steps[0].branches[1].condition.$or[0].profile.traits.checkinStreek: reads profile.traits.checkinStreek: ${notDefined("checkinStreek", "checkinStreak")}`,
    ]);
  });

  it("reports a trait the audience reads, and one a trait.changed trigger names", async () => {
    // Act
    const lines = await traitLines(shop, "tier-up-trigger");

    // Assess: the exit on trait.changed names defined traits
    expect(lines).toEqual([
      `journeys/tier-up-trigger.json: audience.profile.traits.spendTotl: reads profile.traits.spendTotl: ${notDefined("spendTotl", "spendTotal")}`,
      `journeys/tier-up-trigger.json: trigger.pattern.detail.trait[0]: a trait.changed event for "growthTeir" never comes: ${notDefined("growthTeir", "growthTier")}`,
    ]);
  });

  it("reports every trait read when there is no traits.json beside the journeys, and nothing of segments", async () => {
    // Prepare: the same folder without its traits file
    const dir = mkdtempSync(join(tmpdir(), "nudge-no-traits-"));
    cpSync(shop, dir, { recursive: true });
    rmSync(join(dir, "journeys/traits.json"));

    // Act
    const lines = await traitLines(dir, "streak-reminder");

    // Assess
    const none = "journeys/traits.json defines no traits (there is no such file)";
    const send = (step: number, id: string, locale: string) =>
      `journeys/streak-reminder.json: steps[${step}].template: step "${id}", template "streak" (journeys/templates/streak.json), locale "${locale}", body: "profile.traits.checkinStreak" can never be filled: ${none}`;
    expect(lines).toEqual([
      send(3, "send-gold-reminder", "zh-CN"),
      send(3, "send-gold-reminder", "en"),
      `journeys/streak-reminder.json: steps[3].validUntil.time: "profile.traits.lastOrderAt" can never be filled: ${none}`,
      send(4, "send-streak-reminder", "zh-CN"),
      send(4, "send-streak-reminder", "en"),
      `journeys/streak-reminder.json: steps[5].attributes.lastReminderStreak: "profile.traits.checkinStreak" can never be filled: ${none}`,
      `journeys/streak-reminder.json: audience.profile.traits.checkinStreak: reads profile.traits.checkinStreak: ${none}`,
      `journeys/streak-reminder.json: steps[1].branches[0].condition.profile.traits.checkedInToday: reads profile.traits.checkedInToday: ${none}`,
      `journeys/streak-reminder.json: steps[1].branches[1].condition.$or[0].profile.traits.growthTier: reads profile.traits.growthTier: ${none}`,
    ]);
  });

  it("leaves the reads unchecked when the traits file has problems of its own, reported with it", async () => {
    // Prepare: a traits file whose shape is wrong
    const dir = mkdtempSync(join(tmpdir(), "nudge-broken-traits-"));
    cpSync(shop, dir, { recursive: true });
    writeFileSync(join(dir, "journeys/traits.json"), JSON.stringify({ traits: { checkinStreak: { kind: "streak" } } }));

    // Act
    const lines = await traitLines(dir, "tier-up-trigger");

    // Assess
    expect(lines).toEqual([]);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../functions/cli/args.ts";
import { ExitCode } from "../../functions/cli/io.ts";
import { main } from "../../functions/cli/main.ts";
import { previewCommand } from "../../functions/cli/preview.ts";
import { durationMs } from "../../functions/shared/time.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { dormancyPromise, loadSeedJourneys, seedJourney } from "../scenarios/helpers.ts";
import { SHIPPED_JOURNEYS_CWD } from "../support/shipped-journeys.ts";
import { capture, root } from "./capture-io.ts";

const dir = mkdtempSync(join(tmpdir(), "nudge-preview-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a JSON file to the test's folder and gives its path. */
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** A CliIo whose `journeys/` is the shipped journeys the tests check (test/support/shipped-journeys.ts). */
const shipped = () => capture(SHIPPED_JOURNEYS_CWD);

const sample = (type: string) => JSON.parse(readFileSync(join(root, "events/samples", `${type}.json`), "utf8"));

/** What the engine sends when the simulator runs the seed journeys over one event. */
async function simulatedMessages(event: Record<string, unknown>) {
  const { lines } = await simulate({ journeys: loadSeedJourneys(), lines: [JSON.stringify(event)] });
  return lines.filter((line) => line.type === "message.sent");
}

async function preview(...args: string[]) {
  const io = shipped();
  const code = await previewCommand(args, io);
  return { code, out: io.out, err: io.err };
}

describe("nudge preview", () => {
  it("renders the welcome message for an English profile from the sample registration, as the engine sends it", async () => {
    // Prepare: the profile the engine builds from this registration, and the registration itself.
    const registration = sample("user.registered");
    registration.detail = { ...registration.detail, locale: "en-GB", timezone: "Europe/London" };
    const trigger = file("registered.json", registration);
    const user = file("en-gb.json", { userId: "u_102938", locale: "en-GB", timezone: "Europe/London" });
    const [sent] = (await simulatedMessages(registration)).filter(
      (line) => line.journey === "new-user-coupon" && line.template === "welcome",
    );

    // Act
    const { code, out, err } = await preview("new-user-coupon", "send-welcome", "--user", user, "--trigger", trigger);

    // Assess
    expect({ code, err }).toEqual({ code: ExitCode.ok, err: [] });
    expect(out).toEqual([
      `journey:  new-user-coupon v${seedJourney("new-user-coupon").version}, step send-welcome, template welcome`,
      "user:     u_102938",
      "channel:  push",
      "category: marketing",
      "locale:   en (the profile's locale is en-GB)",
      "title:    Your welcome coupon is here",
      `body:     ${sent?.text}`,
    ]);
    expect(sent?.title).toBe("Your welcome coupon is here");
    expect(sent?.text).toMatch(/^Welcome! .* Code NEW[0-9A-Z]{8}, valid until 2026-11-25 02:14\.$/);
  });

  it("renders an inbox message as its pop-up: placement, priority, until when it shows, its text, as the engine keeps it", async () => {
    // Prepare: the English profile's registration, and what the engine sends for it
    const registration = sample("user.registered");
    registration.detail = { ...registration.detail, locale: "en-GB", timezone: "Europe/London" };
    const trigger = file("registered-popup.json", registration);
    const user = file("en-gb-popup.json", { userId: "u_102938", locale: "en-GB", timezone: "Europe/London" });
    const [sent] = (await simulatedMessages(registration)).filter((line) => line.channel === "inbox");
    const inbox = sent?.inbox as { expiresAt: string; couponId: string } | undefined;

    // Act
    const text = await preview("new-user-coupon", "show-coupon-popup", "--user", user, "--trigger", trigger);
    const json = await preview(
      "new-user-coupon",
      "show-coupon-popup",
      "--user",
      user,
      "--trigger",
      trigger,
      "--format",
      "json",
    );

    // Assess
    expect(text.code).toBe(ExitCode.ok);
    expect(text.out.slice(2)).toEqual([
      "channel:  inbox",
      "category: marketing",
      "locale:   en (the profile's locale is en-GB)",
      "placement: popup:order-page, priority 80",
      `shows:    until ${inbox?.expiresAt}, or coupon ${inbox?.couponId} is redeemed, or the user dismisses it`,
      "popup:",
      "  ┌──────────",
      "  │ Your welcome coupon: 20 off, free shipping",
      `  │ ${sent?.text}`,
      "  └──────────",
    ]);
    expect(JSON.parse(json.out.join("\n")).inbox).toEqual(sent?.inbox);
  });

  it("--format json prints the message object: the fields of the message.sent effect the engine makes", async () => {
    // Prepare: the default trigger is the sample registration, carried over to the profile's user.
    const registration = sample("user.registered");
    registration.detail = { ...registration.detail, userId: "u_zh" };
    const user = file("zh.json", { userId: "u_zh", locale: "zh-CN", timezone: "Asia/Shanghai" });
    const [sent] = (await simulatedMessages(registration)).filter(
      (line) => line.journey === "new-user-coupon" && line.template === "welcome",
    );

    // Act
    const { code, out } = await preview("new-user-coupon", "send-welcome", "--user", user, "--format", "json");

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(out.join("\n"))).toEqual({
      journey: "new-user-coupon",
      version: seedJourney("new-user-coupon").version,
      user: "u_zh",
      step: "send-welcome",
      channel: "push",
      template: "welcome",
      category: "marketing",
      locale: "zh-CN",
      title: "新人专享券已到账",
      text: sent?.text,
    });
  });

  it("issues the coupon of the issue-coupon step on the way, for a step after a wait too", async () => {
    // Prepare: a user with no locale or time zone gets zh-CN, in Asia/Shanghai.
    const user = file("bare.json", { userId: "u_bare" });

    // Act
    const comeback = await preview("dormancy-reactivation", "send-comeback", "--user", user, "--format", "json");
    const reminder = await preview("dormancy-reactivation", "send-reminder", "--user", user, "--format", "json");

    // Assess
    const code = /券码 (BACK[0-9A-Z]{8})，/;
    const [, comebackCode] = code.exec(JSON.parse(comeback.out.join("\n")).text) ?? [];
    const reminderText: string = JSON.parse(reminder.out.join("\n")).text;
    expect(comebackCode).toBeDefined();
    expect(reminderText).toContain(`你的回归专享券 ${comebackCode} 还没使用哦`);
    // Issued when the dormancy idle time since the sample order ran out, valid for the coupon's days (30 and 14
    // days as shipped: 1月3日), the day in the user's default time zone, Asia/Shanghai.
    const { idleMs, coupon } = dormancyPromise();
    const expires = Date.parse(sample("order.placed").time) + idleMs + durationMs(coupon.validFor);
    const day = new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", month: "numeric", day: "numeric" });
    const parts = Object.fromEntries(day.formatToParts(expires).map((part) => [part.type, part.value]));
    expect(reminderText).toContain(`${parts.month}月${parts.day}日 到期`);
  });

  it("takes a journey file's path, and fills the defaults of a profile with no user id from the trigger", async () => {
    // Prepare
    const user = file("empty.json", {});

    // Act
    const { code, out } = await preview("journeys/post-promotion-review.json", "send-review-request", "--user", user);

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(out).toContain("user:     u_102938");
    expect(out).toContain(
      "body:     你的大促订单 SO-20261120-000417 已签收，用得还满意吗？欢迎写下使用感受，晒图评价还有机会获得积分奖励～",
    );
  });

  it("prints the problems of a journey that fails validation and exits 1", async () => {
    // Prepare
    const io = capture(join(root, "test/fixtures/journeys/file-templates"));
    const user = file("any.json", {});

    // Act
    const code = await previewCommand(["journeys/file-templates.json", "send-greeting", "--user", user], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.out).toEqual([]);
    expect(io.err[0]).toMatch(/^journeys\/file-templates\.json: steps\[2\]\.template: step "send-order"/);
  });

  it.each([
    [
      ["nope", "send-welcome"],
      /^no journey "nope" in journeys\/; journeys: checkin-streak, coupon-expiry-nudge, dormancy-reactivation/,
    ],
    [["new-user-coupon", "send-welcom"], /has no step "send-welcom" \(did you mean "send-welcome"\?\); its send steps/],
    [["new-user-coupon", "issue-welcome-coupon"], /is not a send step but an issue-coupon step; preview renders send/],
    [["new-user-coupon"], /^give a journey \(id or file\) and a step id$/],
  ])("refuses %j with a usage error", async (args, message) => {
    // Prepare
    const user = file("ok.json", { userId: "u_1" });

    // Act
    const run = previewCommand([...args, "--user", user], shipped());

    // Assess
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it("refuses a profile file that is not a profile, naming the file and fields, with exit 2 and the usage", async () => {
    // Prepare
    const user = file("bad-profile.json", { userId: "u_1", locale: 3, tier: "gold" });
    const io = shipped();

    // Act
    const code = await main(["preview", "new-user-coupon", "send-welcome", "--user", user], io);

    // Assess
    expect(code).toBe(ExitCode.usage);
    expect(io.err[0]?.split("\n").slice(0, 3)).toEqual([
      `nudge preview: profile file ${user}: locale: expected string, got 3`,
      `profile file ${user}: unknown field "tier"`,
      expect.stringMatching(/^Usage: nudge preview <journey> <step> --user <profile.json>/),
    ]);
  });

  it("refuses a missing --user, an unreadable profile and a trigger of another detail-type", async () => {
    // Prepare
    const order = file("order.json", sample("order.placed"));
    const user = file("u.json", {});

    // Act / Assess
    await expect(previewCommand(["new-user-coupon", "send-welcome"], shipped())).rejects.toThrow(
      "--user <profile.json> is required",
    );
    await expect(
      previewCommand(["new-user-coupon", "send-welcome", "--user", join(dir, "missing.json")], shipped()),
    ).rejects.toThrow(`cannot read the profile file ${join(dir, "missing.json")}: ENOENT`);
    await expect(
      previewCommand(["new-user-coupon", "send-welcome", "--user", user, "--trigger", order], shipped()),
    ).rejects.toThrow(
      `the trigger event's detail-type is order.placed; journey "new-user-coupon" starts on user.registered`,
    );
  });
});

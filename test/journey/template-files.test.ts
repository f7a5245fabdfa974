import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatProblem, journeyFilesIn, loadJourneyFiles } from "../../functions/journey/load.ts";
import { parseTemplateFile } from "../../functions/journey/template-file.ts";
import { resolveTemplates, templateLibrary } from "../../functions/journey/template-library.ts";
import { validateJourneyFiles } from "../../functions/journey/validate.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { journeyFrom } from "../scenarios/helpers.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cwd = `${root}test/fixtures/journeys/file-templates`;

const greetingText = JSON.stringify({
  id: "greeting",
  locales: {
    "zh-CN": { title: "你好 {{ profile.userId }}", body: "欢迎 {{ trigger.detail.userId }}" },
    en: { title: "Hello {{ profile.userId }}", body: "Welcome {{ trigger.detail.userId }}" },
    "en-GB": { body: "Welcome aboard {{ trigger.detail.userId }}" },
  },
});

describe("a template file", () => {
  it("parses when its id is its file name and it has zh-CN first, en second", () => {
    // Act
    const { template, problems } = parseTemplateFile(greetingText, "templates/greeting.json", "greeting");

    // Assess
    expect(problems).toEqual([]);
    expect(template?.description).toBe("");
    expect(Object.keys(template?.locales ?? {})).toEqual(["zh-CN", "en", "en-GB"]);
  });

  it("is reported at the line and column where its JSON breaks", () => {
    // Act
    const { template, problems } = parseTemplateFile('{\n  "id": "x",\n  "locales": {\n}\n', "templates/x.json", "x");

    // Assess
    expect(template).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      "templates/x.json: not valid JSON at line 5, column 1: Expected ',' or '}' after property value",
    ]);
  });

  it("requires en second, after zh-CN", () => {
    // Prepare
    const text = JSON.stringify({ id: "x", locales: { "zh-CN": { body: "你好" }, fr: { body: "Salut" } } });

    // Act
    const { template, problems } = parseTemplateFile(text, "templates/x.json", "x");

    // Assess
    expect(template).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      'templates/x.json: locales: expected "en" as the second locale, after "zh-CN", got "fr"',
    ]);
  });
});

describe("nudge validate with template files", () => {
  it("reports each broken template file on itself, and each unfillable placeholder on the step that sends it", async () => {
    // Prepare: the coupon-code template is fine after the issue-coupon step, not before it.
    const files = await journeyFilesIn(`${cwd}/journeys`);

    // Act
    const { journeys, problems, warnings } = await validateJourneyFiles(files, cwd);

    // Assess
    const early =
      'journeys/coupon-order.json: steps[0].template: step "send-too-early", template "coupon-code" (journeys/templates/coupon-code.json)';
    const noCouponYet =
      '"coupon.code" can never be filled: no issue-coupon step comes before step "send-too-early", so a run has no coupon there yet';
    const journey = "journeys/file-templates.json";
    const order = 'step "send-order", template "order-thanks" (journeys/templates/order-thanks.json)';
    expect(problems.map(formatProblem)).toEqual([
      `${early}, locale "zh-CN", body: ${noCouponYet}`,
      `${early}, locale "en", body: ${noCouponYet}`,
      `${journey}: steps[2].template: ${order}, locale "zh-CN", title: "coupon.code" can never be filled: the journey has no issue-coupon step, so a run has no coupon`,
      `${journey}: steps[2].template: ${order}, locale "en", body: "trigger.detail.orderId" can never be filled: "orderId" is not a field of user.registered; its fields: userId, locale, timezone, channel, email, phone, attributes`,
      `${journey}: steps[3].template: template "wrong-id" cannot be used: its file journeys/templates/wrong-id.json has problems`,
      `${journey}: steps[4].template: unknown template "greting" (did you mean "greeting"?): neither a "templates" entry nor a file journeys/templates/greting.json; templates: coupon-code, greeting, inline, order-thanks, unused`,
      "journeys/templates/bad-liquid.json: locales.en.title: Liquid syntax error: undefined filter: shout, line:1, col:7",
      'journeys/templates/english-first.json: locales.zh-CN: unknown field "subject"',
      'journeys/templates/english-first.json: locales: expected "zh-CN" (the default locale) as the first locale, got "en"',
      'journeys/templates/wrong-id.json: id: the id "right-id" differs from the file name: expected "wrong-id" (send steps find a template by its file name)',
    ]);
    expect(warnings.map(formatProblem)).toEqual([
      'journeys/templates/inline.json: no journey sends this file: the journeys that send template "inline" have a "templates" entry of that id, which wins over the file',
      'journeys/templates/unused.json: no journey sends template "unused"; name it in a send step\'s "template", or remove the file',
    ]);
    expect(journeys).toEqual([]);
  });

  it("passes the seed journeys, each template in a file of its own that some journey sends", async () => {
    // Prepare
    const files = await journeyFilesIn(`${root}journeys`);

    // Act
    const { journeys, problems, warnings } = await validateJourneyFiles(files, root);

    // Assess
    expect([...problems, ...warnings].map(formatProblem)).toEqual([]);
    // Once each, though two versions of a journey (one kept for its runs in flight) send the same templates.
    const used = [...new Set(journeys.flatMap((entry) => Object.values(entry.templateFiles ?? {})))].sort();
    const templateFiles = readdirSync(`${root}journeys/templates`).map((name) => `journeys/templates/${name}`);
    expect(used).toEqual(templateFiles.sort());
    for (const file of files) expect(JSON.parse(readFileSync(file, "utf8")).templates).toBeUndefined();
  });
});

describe("loading a journey", () => {
  it("copies the file templates its send steps use into it; an inline template of the same id wins", async () => {
    // Act
    const { journeys } = await loadJourneyFiles([`${cwd}/journeys/file-templates.json`], cwd);

    // Assess
    const [loaded] = journeys;
    expect(loaded?.templateFiles).toEqual({
      greeting: "journeys/templates/greeting.json",
      "order-thanks": "journeys/templates/order-thanks.json",
    });
    expect(loaded?.journey.templates.inline).toEqual({ "zh-CN": "内联模板 {{ profile.userId }}" });
    expect(loaded?.journey.templates.greeting?.en).toEqual({
      title: "Hello {{ profile.attributes.nickname | default: 'friend' }}",
      body: "Welcome, {{ profile.userId }}!",
    });
  });
});

describe("sending a file template", () => {
  const library = templateLibrary("templates", [{ name: "greeting.json", text: greetingText }]);
  const { journey } = resolveTemplates(
    journeyFrom({
      id: "greet",
      version: 1,
      name: "Greet",
      trigger: { type: "event", pattern: { "detail-type": ["user.registered"] } },
      start: "greet",
      steps: [{ id: "greet", type: "send", channel: "push", template: "greeting" }],
    }),
    library,
  );
  const registered = (userId: string, locale?: string) =>
    JSON.stringify({
      id: `reg-${userId}`,
      source: "shop",
      "detail-type": "user.registered",
      time: "2026-11-20T08:00:00Z",
      detail: { userId, ...(locale === undefined ? {} : { locale }) },
    });

  it("picks the profile's locale (exact, then same language, then zh-CN) and renders its title and body", async () => {
    // Prepare
    const lines = [
      registered("u_gb", "en-GB"),
      registered("u_us", "en-US"),
      registered("u_fr", "fr"),
      registered("u_none"),
    ];

    // Act
    const result = await simulate({ journeys: [journey], lines });

    // Assess
    const sent = result.lines.filter((line) => line.type === "message.sent");
    expect(sent.map((line) => [line.user, line.locale, line.title, line.text])).toEqual([
      ["u_gb", "en-GB", undefined, "Welcome aboard u_gb"],
      ["u_us", "en", "Hello u_us", "Welcome u_us"],
      ["u_fr", "zh-CN", "你好 u_fr", "欢迎 u_fr"],
      ["u_none", "zh-CN", "你好 u_none", "欢迎 u_none"],
    ]);
  });
});

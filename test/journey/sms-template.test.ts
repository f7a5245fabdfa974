import { describe, expect, it } from "vitest";
import { compileJourney } from "../../functions/engine/compile.ts";
import { journalEntryOf } from "../../functions/engine/journal.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { previewRun, renderPreview } from "../../functions/engine/preview.ts";
import { formatProblem } from "../../functions/journey/load.ts";
import { parseTemplateFile } from "../../functions/journey/template-file.ts";
import { resolveTemplates, templateLibrary } from "../../functions/journey/template-library.ts";
import { overlongSmsParams } from "../../functions/language/sms-template.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { journeyFrom } from "../scenarios/helpers.ts";

const couponSms = {
  id: "coupon-sms",
  locales: {
    "zh-CN": { body: "您的优惠券 {{ coupon.code }} 已到账" },
    en: { body: "Your coupon {{ coupon.code }} is here" },
  },
  sms: {
    templateCode: "SMS_153055065",
    params: { code: "{{ coupon.code }}", amount: "{{ coupon.amountOff }}", shop: "好物商城" },
  },
};

const parse = (template: unknown) =>
  parseTemplateFile(JSON.stringify(template), "templates/coupon-sms.json", "coupon-sms");

describe("a template file's sms block", () => {
  it("parses with the template code and its parameters, the signature left to the channel", () => {
    // Act
    const { template, problems } = parse(couponSms);

    // Assess
    expect(problems).toEqual([]);
    expect(template?.sms).toEqual({ templateCode: "SMS_153055065", params: couponSms.sms.params });
  });

  it("refuses a template code, a parameter name and a fixed text the provider would refuse, each where it is", () => {
    // Prepare
    const longText = "这是一段超过三十五个字的固定文字，应该写在阿里云审核通过的短信模板里面而不是变量里面";
    const bad = { ...couponSms, sms: { templateCode: "153055065", params: { "1st": "x" } } };
    const long = { ...couponSms, sms: { templateCode: "SMS_1", params: { note: `${longText}{{ coupon.code }}` } } };

    // Act
    const badCode = parse(bad).problems.map(formatProblem);
    const tooLong = parse(long).problems.map(formatProblem);

    // Assess
    expect(badCode).toEqual([
      'templates/coupon-sms.json: sms.templateCode: expected an Alibaba Cloud SMS template code such as "SMS_153055065", got "153055065"',
      'templates/coupon-sms.json: sms.params["1st"]: expected a template variable name (a letter, then letters, digits or _; 25 at most), got "1st"',
    ]);
    expect(tooLong).toEqual([
      "templates/coupon-sms.json: sms.params.note: its fixed text alone has 42 characters: Alibaba Cloud SMS takes 35 at most in a variable (isv.PARAM_LENGTH_LIMIT); put fixed text in the approved template",
    ]);
  });

  it("reports a Liquid syntax error in a parameter", () => {
    // Act
    const { problems } = parse({ ...couponSms, sms: { templateCode: "SMS_1", params: { code: "{{ coupon.code" } } });

    // Assess
    expect(problems.map((problem) => problem.path)).toEqual(["sms.params.code"]);
    expect(problems[0]?.message).toMatch(/^Liquid syntax error/);
  });

  it("counts a Chinese character as one character, as the provider does", () => {
    // Act
    const problems = overlongSmsParams({ shop: "好".repeat(35), note: "好".repeat(36) });

    // Assess
    expect(problems).toEqual(["note: 36 characters, 35 at most"]);
  });
});

describe("sending a template with an sms block", () => {
  const library = templateLibrary("templates", [{ name: "coupon-sms.json", text: JSON.stringify(couponSms) }]);
  const journeyOn = (channel: string) =>
    resolveTemplates(
      journeyFrom({
        id: "sms-coupon",
        version: 1,
        name: "SMS coupon",
        trigger: { type: "event", pattern: { "detail-type": ["user.registered"] } },
        start: "coupon",
        steps: [
          {
            id: "coupon",
            type: "issue-coupon",
            amountOff: 20,
            currency: "CNY",
            validFor: "P7D",
            next: "tell",
          },
          { id: "tell", type: "send", channel, template: "coupon-sms", category: "service" },
        ],
      }),
      library,
    ).journey;
  const registered = JSON.stringify({
    id: "reg-u1",
    source: "shop",
    "detail-type": "user.registered",
    time: "2026-11-20T08:00:00Z",
    detail: { userId: "u1" },
  });

  it("renders the parameters with the text into the message's params, on the sms channel", async () => {
    // Act
    const result = await simulate({ journeys: [journeyOn("sms")], lines: [registered] });

    // Assess
    const sent = result.lines.find((line) => line.type === "message.sent");
    const coupon = result.lines.find((line) => line.type === "coupon.issued")?.coupon as { code: string };
    expect(sent?.params).toEqual({ code: coupon.code, amount: "20", shop: "好物商城" });
    expect(sent?.text).toBe(`您的优惠券 ${coupon.code} 已到账`);
  });

  it("renders no parameters on another channel, and keeps them out of the journal", async () => {
    // Act
    const result = await simulate({ journeys: [journeyOn("push")], lines: [registered] });
    const sms = await simulate({ journeys: [journeyOn("sms")], lines: [registered] });

    // Assess
    const sent = result.lines.find((line) => line.type === "message.sent");
    expect(sent).toBeDefined();
    expect(sent && "params" in sent).toBe(false);
    const smsSent = sms.lines.find((line) => line.type === "message.sent") as JourneyEffect | undefined;
    expect(smsSent).toHaveProperty("params");
    expect(smsSent && journalEntryOf(smsSent)).not.toHaveProperty("params");
  });

  it("shows the rendered parameters in a preview", () => {
    // Prepare
    const journey = compileJourney(journeyOn("sms"));
    const step = journey.step("tell");
    if (step.type !== "send") throw new Error("expected a send step");
    const trigger = JSON.parse(registered);
    const run = previewRun(journey, trigger, "u1", Date.parse("2026-11-20T08:00:00Z"));
    run.coupon = {
      couponId: "c1",
      code: "NEW-7QK2",
      amountOff: 20,
      currency: "CNY",
      freeShipping: false,
      expiresAt: "2026-11-27T08:00:00Z",
    };

    // Act
    const message = renderPreview(journey, step, run, {
      userId: "u1",
      attributes: {},
      consent: {},
      orderCount: 0,
      totalSpent: 0,
    });

    // Assess
    expect(message.params).toEqual({ code: "NEW-7QK2", amount: "20", shop: "好物商城" });
  });
});

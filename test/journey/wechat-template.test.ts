import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../functions/cli/io.ts";
import { previewCommand } from "../../functions/cli/preview.ts";
import { formatWhy } from "../../functions/cli/why-report.ts";
import { emptyProfile } from "../../functions/engine/context.ts";
import { parseTemplateFile } from "../../functions/journey/template-file.ts";
import { keywordProblem } from "../../functions/language/wechat-rules.ts";
import { capture } from "../cli/capture-io.ts";

const TEMPLATE_ID = "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ";

/** A template file as an operations person writes it: texts, and the wechat block of the console's template. */
const orderPaid = (data: Record<string, string>, page = "pages/order/detail?id={{ trigger.detail.orderId }}") => ({
  id: "order-paid",
  description: "Order paid: the subscribe message 订单支付成功通知",
  locales: {
    "zh-CN": { body: "订单 {{ trigger.detail.orderId }} 已支付" },
    en: { body: "Order {{ trigger.detail.orderId }} paid" },
  },
  wechat: { templateId: TEMPLATE_ID, page, data },
});

const problemsOf = (file: unknown) =>
  parseTemplateFile(JSON.stringify(file), "journeys/templates/order-paid.json", "order-paid").problems.map(
    (problem) => `${problem.path}: ${problem.message}`,
  );

describe("a template file's wechat block (nudge validate)", () => {
  it("accepts the keywords of the console's template with Liquid values", () => {
    // Act
    const problems = problemsOf(
      orderPaid({
        character_string1: "{{ trigger.detail.orderId }}",
        amount2: "¥{{ trigger.detail.amount }}",
        thing3: "感谢您的购买",
        phrase4: "已支付",
        date5: "{{ trigger.time | date: '%Y年%m月%d日' }}",
      }),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it("names each keyword WeChat would refuse, and a name that is no WeChat type", () => {
    // Act
    const problems = problemsOf(
      orderPaid({
        thing1: "您在好物商城的订单已经支付成功啦，请耐心等待发货{{ trigger.detail.orderId }}",
        phrase2: "支付成功了",
        phrase3: "paid",
        title4: "{{ trigger.detail.orderId }}",
        amount5: "99 元整",
      }),
    );

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(/^wechat\.data\.title4: expected a WeChat keyword name: a type \(thing, number/),
    ]);
    const valueProblems = problemsOf(
      orderPaid({
        thing1: "您在好物商城的订单已经支付成功啦，请耐心等待发货{{ trigger.detail.orderId }}",
        phrase2: "支付成功了啊",
        phrase3: "paid",
        amount5: "99 元整",
      }),
    );
    expect(valueProblems).toEqual([
      "wechat.data.thing1: its fixed text alone has 24 characters: a thing keyword takes 20 at most",
      "wechat.data.phrase2: WeChat would refuse it (47003): 6 characters: a phrase keyword takes Chinese characters only, 5 at most",
      'wechat.data.phrase3: WeChat would refuse it (47003): "paid" is not Chinese characters only, 5 at most',
      'wechat.data.amount5: WeChat would refuse it (47003): "99 元整" is not a currency sign and up to 10 digits, decimals allowed, 元 at the end allowed (¥99.00)',
    ]);
  });

  it.each([
    ["thing1", "顺丰速运", undefined],
    ["number2", "12.5", undefined],
    ["number2", "十二", '"十二" is not a number (digits, a decimal point), 32 at most'],
    ["character_string3", "SO-20261118-0042", undefined],
    ["character_string3", "订单42", '"订单42" is not digits, letters or symbols (no Chinese characters), 32 at most'],
    ["date4", "2026年11月18日 10:14", undefined],
    ["date4", "2026-11-18~2026-11-20", undefined],
    [
      "date4",
      "tomorrow",
      '"tomorrow" is not a date such as 2019年10月1日 or 2019-10-01, a time optional (a period joined by ~)',
    ],
    ["time5", "15:01", undefined],
    ["amount6", "￥1299.00", undefined],
    ["phone_number7", "+86-0766-66888866", undefined],
    ["name8", "李娜", undefined],
    ["thing9", "", "empty: a thing keyword needs a value (20 characters at most)"],
  ])("checks %s = %j against its type", (name, value, problem) => {
    // Act / Assess
    expect(keywordProblem(name, value)).toBe(problem);
  });
});

describe("nudge preview and nudge why of WeChat subscribe messages", () => {
  const dir = mkdtempSync(join(tmpdir(), "nudge-wechat-preview-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("preview shows the template, the page and each keyword, marking one WeChat would refuse", async () => {
    // Prepare: a journey sending order-paid on wechat; the template file beside it; an order of a long name.
    mkdirSync(join(dir, "templates"));
    const data = { character_string1: "{{ trigger.detail.orderId }}", thing2: "{{ trigger.detail.promotionId }}" };
    writeFileSync(join(dir, "templates", "order-paid.json"), JSON.stringify(orderPaid(data)));
    const journeyFile = join(dir, "order-notice.json");
    writeFileSync(
      journeyFile,
      JSON.stringify({
        id: "order-notice",
        version: 1,
        name: "Order notice",
        key: "orderId",
        trigger: { type: "event", pattern: { "detail-type": ["order.placed"] } },
        start: "notify",
        steps: [{ id: "notify", type: "send", channel: "wechat", template: "order-paid", category: "service" }],
      }),
    );
    const user = join(dir, "user.json");
    writeFileSync(user, JSON.stringify({ userId: "u1", attributes: { wechatOpenId: "oVRgD5dDA58Z52rUCI" } }));
    const trigger = join(dir, "order.json");
    const detail = {
      userId: "u1",
      orderId: "SO-42",
      amount: 99,
      currency: "CNY",
      promotionId: "promo_double11_presale_main_venue",
    };
    writeFileSync(
      trigger,
      JSON.stringify({ id: "e1", source: "shop", "detail-type": "order.placed", time: "2026-11-18T02:14:20Z", detail }),
    );
    const io = capture(dir);

    // Act
    const code = await previewCommand([journeyFile, "notify", "--user", user, "--trigger", trigger], io);

    // Assess
    expect({ code, err: io.err }).toEqual({ code: ExitCode.ok, err: [] });
    expect(io.out.slice(-4)).toEqual([
      `wechat:   template ${TEMPLATE_ID}`,
      "page:     pages/order/detail?id=SO-42",
      "keyword:  character_string1 = SO-42",
      "keyword:  thing2 = promo_double11_presale_main_venue (WeChat would refuse it: 33 characters: a thing keyword takes 20 characters at most)",
    ]);
  });

  it("why explains a message suppressed for no grant, and shows the grants left", () => {
    // Act
    const lines = formatWhy({
      userId: "u1",
      timeZone: "Asia/Shanghai",
      timeZoneOf: "platform default",
      profile: { ...emptyProfile("u1"), wechatGrants: { [TEMPLATE_ID]: { count: 0 } } },
      journal: [
        {
          type: "message.suppressed",
          id: "r1:1:message",
          at: "2026-11-18T02:14:20Z",
          journey: "order-notice",
          version: 1,
          user: "u1",
          run: "r1",
          channel: "wechat",
          template: "order-paid",
          reason: "no-subscription-grant",
          rule: `wechat-grant:${TEMPLATE_ID}`,
        },
      ],
    });

    // Assess
    expect(lines).toContain(`wechat grants: ${TEMPLATE_ID} 0 left`);
    expect(lines).toContain(
      `  2026-11-18 10:14:20  wechat "order-paid" NOT sent: no-subscription-grant (rule wechat-grant:${TEMPLATE_ID}): no WeChat one-time grant left for this template (each wechat.subscription_granted adds grants, each message takes one)`,
    );
  });
});

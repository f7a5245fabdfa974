import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  DETAIL_TYPES,
  type DetailOf,
  type DetailType,
  detailFields,
  isKnownDetailType,
  type ParseResult,
  PLATFORM_SOURCE,
  parseEvent,
  parseEventJson,
} from "../../events/catalog.ts";
import { InvalidEventError } from "../../functions/shared/errors.ts";

const samplesDir = new URL("../../events/samples/", import.meta.url);

function sample(type: DetailType): Record<string, unknown> & { detail: Record<string, unknown> } {
  return JSON.parse(readFileSync(new URL(`${type}.json`, samplesDir), "utf8"));
}

/** A sample event with some detail fields replaced (undefined removes the field). */
function withDetail(type: DetailType, changes: Record<string, unknown>): Record<string, unknown> {
  const event = sample(type);
  const detail: Record<string, unknown> = { ...event.detail, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete detail[key];
  return { ...event, detail };
}

function failure(result: ParseResult) {
  if (result.ok) throw new Error(`expected a failed parse, got ${JSON.stringify(result.event)}`);
  return result.error;
}

const NUDGE_OWN = new Set(["journey.paused", "segment.entered", "segment.exited", "trait.changed"]);
const INBOX_ACTIONS = new Set(["inbox.message_seen", "inbox.message_clicked", "inbox.message_dismissed"]);
const sourceOf = (type: string) =>
  NUDGE_OWN.has(type) ? "nudge" : INBOX_ACTIONS.has(type) ? "nudge.inbox" : PLATFORM_SOURCE;

const REQUIRED: Record<DetailType, string[]> = {
  "user.registered": ["userId"],
  "user.updated": ["userId", "attributes"],
  "user.unsubscribed": ["userId"],
  "user.subscribed": ["userId"],
  "order.placed": ["userId", "orderId", "amount", "currency"],
  "order.delivered": ["userId", "orderId"],
  "order.refunded": ["userId", "orderId", "amount"],
  "order.payment_failed": ["userId", "orderId", "amount", "currency"],
  "order.deposit_paid": ["userId", "orderId", "promotionId", "amount"],
  "coupon.issued": ["userId", "couponId", "code", "amountOff", "expiresAt"],
  "coupon.redeemed": ["userId", "couponId", "orderId"],
  "promotion.scheduled": ["promotionId", "name", "startsAt", "endsAt"],
  "promotion.ended": ["promotionId"],
  "review.posted": ["userId", "orderId"],
  "user.checked_in": ["userId"],
  "wechat.subscription_granted": ["userId", "templateId", "count"],
  "cart.item_added": ["userId", "productId"],
  "product.favorited": ["userId", "productId"],
  "journey.paused": ["journeyId", "version", "reason", "by", "pausedAt"],
  "segment.entered": ["userId", "segment"],
  "segment.exited": ["userId", "segment"],
  "trait.changed": ["userId", "trait", "from", "to", "reached"],
  "message.requested": ["userId", "template", "channel"],
  "inbox.message_seen": ["userId", "messageId", "placement", "journeyId", "journeyVersion"],
  "inbox.message_clicked": ["userId", "messageId", "placement", "journeyId", "journeyVersion"],
  "inbox.message_dismissed": ["userId", "messageId", "placement", "journeyId", "journeyVersion"],
};

describe("the samples", () => {
  it("has one sample per detail-type, and each one parses", () => {
    // Prepare
    const files = readdirSync(samplesDir).filter((name) => name.endsWith(".json"));

    // Act
    const results = files.map((name) => ({
      name,
      result: parseEventJson(readFileSync(new URL(name, samplesDir), "utf8")),
    }));

    // Assess
    expect(files.map((name) => name.replace(/\.json$/, "")).sort()).toEqual([...DETAIL_TYPES].sort());
    for (const { name, result } of results) {
      expect(result.ok ? "" : result.error.message, name).toBe("");
      if (result.ok) {
        expect(`${result.event["detail-type"]}.json`).toBe(name);
        // Nudge's own events (journey.paused, segment and trait changes) come from Nudge; the rest from the shop.
        expect(result.event.source).toBe(sourceOf(result.event["detail-type"]));
      }
    }
  });

  it("documents every field a sample uses, or the sample shows a shop's own field", () => {
    // Prepare
    const type: DetailType = "order.placed";

    // Act
    const fields = detailFields(type);

    // Assess
    expect(fields).toEqual(["userId", "orderId", "amount", "currency", "couponIds", "promotionId"]);
    for (const t of DETAIL_TYPES) expect(detailFields(t)).toEqual(expect.arrayContaining(REQUIRED[t]));
  });
});

describe("parseEvent", () => {
  it.each(DETAIL_TYPES.flatMap((type) => REQUIRED[type].map((field) => [type, field] as const)))(
    "rejects %s without %s, naming the path",
    (type, field) => {
      // Prepare
      const event = withDetail(type, { [field]: undefined });

      // Act
      const error = failure(parseEvent(event));

      // Assess
      expect(error.problems).toEqual([{ path: `detail.${field}`, message: "required field is missing" }]);
      expect(error.message).toBe(`event ${String(event.id)}: detail.${field}: required field is missing`);
    },
  );

  it.each(["id", "source", "detail-type", "time", "detail"])("rejects an envelope without %s", (field) => {
    // Prepare
    const event: Record<string, unknown> = sample("order.placed");
    delete event[field];

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toContainEqual({ path: field, message: "required field is missing" });
  });

  it.each([
    ["order.placed", { amount: "12.5" }, "detail.amount", 'expected a number, got "12.5"'],
    ["order.placed", { amount: -1 }, "detail.amount", "must be >= 0, got -1"],
    ["order.placed", { userId: 42 }, "detail.userId", "expected a string, got 42"],
    ["order.placed", { orderId: "" }, "detail.orderId", "must not be empty"],
    ["order.placed", { couponIds: "cpn_1" }, "detail.couponIds", 'expected an array, got "cpn_1"'],
    ["order.placed", { couponIds: ["cpn_1", 7] }, "detail.couponIds[1]", "expected a string, got 7"],
    ["order.refunded", { amount: null }, "detail.amount", "expected a number, got null"],
    ["coupon.issued", { amountOff: 0 }, "detail.amountOff", "must be > 0, got 0"],
    ["coupon.issued", { freeShipping: "yes" }, "detail.freeShipping", 'expected a boolean, got "yes"'],
    ["coupon.issued", { minSpend: -5 }, "detail.minSpend", "must be >= 0, got -5"],
    ["review.posted", { rating: 4.5 }, "detail.rating", "expected an integer, got 4.5"],
    ["review.posted", { rating: 0 }, "detail.rating", "must be >= 1, got 0"],
    ["review.posted", { rating: 6 }, "detail.rating", "must be <= 5, got 6"],
    ["review.posted", { photoCount: -1 }, "detail.photoCount", "must be >= 0, got -1"],
    ["review.posted", { photoCount: 1.5 }, "detail.photoCount", "expected an integer, got 1.5"],
    ["cart.item_added", { quantity: 0 }, "detail.quantity", "must be >= 1, got 0"],
    ["cart.item_added", { price: -3 }, "detail.price", "must be >= 0, got -3"],
    ["product.favorited", { productId: "" }, "detail.productId", "must not be empty"],
    [
      "order.payment_failed",
      { currency: "rmb" },
      "detail.currency",
      '"rmb" is not an ISO 4217 currency code (three capital letters, e.g. "CNY")',
    ],
    ["order.payment_failed", { reason: "" }, "detail.reason", "must not be empty"],
    ["user.updated", { attributes: [] }, "detail.attributes", "expected an object, got an array"],
    [
      "user.updated",
      { attributes: { "gift wrap": { color: "red" } } },
      'detail.attributes["gift wrap"]',
      "expected a string, a number or a boolean, got an object",
    ],
    ["user.unsubscribed", { channel: "" }, "detail.channel", "must not be empty"],
    [
      "user.registered",
      { email: "li.na at example.cn" },
      "detail.email",
      '"li.na at example.cn" is not an email address',
    ],
    ["user.registered", { locale: "zh_CN!" }, "detail.locale", '"zh_CN!" is not a BCP-47 locale (e.g. "zh-CN")'],
    ["promotion.ended", { name: 11 }, "detail.name", "expected a string, got 11"],
  ] as const)("rejects a %s detail with %j", (type, changes, path, message) => {
    // Prepare
    const event = withDetail(type, changes);

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toEqual([{ path, message }]);
  });

  it("names the event id, the path and the problem in the message", () => {
    // Prepare
    const event = { ...withDetail("order.placed", { amount: "12.5" }), id: "7f3c" };

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toBe('event 7f3c: detail.amount: expected a number, got "12.5"');
  });

  it.each(["Mars/Base", "+08:00", "", "Asia/Shanghai "])("rejects the time zone %j", (timezone) => {
    // Prepare
    const event = withDetail("user.registered", { timezone });

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toEqual([
      {
        path: "detail.timezone",
        message: `${JSON.stringify(timezone)} is not an IANA time zone (e.g. "Asia/Shanghai")`,
      },
    ]);
  });

  it.each(["UTC", "America/New_York", "Asia/Shanghai", "Etc/GMT-8"])("accepts the time zone %s", (timezone) => {
    expect(parseEvent(withDetail("user.registered", { timezone })).ok).toBe(true);
  });

  it.each(["cny", "RMB1", "CN", "YUAN", 156])("rejects the currency %j", (currency) => {
    // Prepare
    const event = withDetail("order.placed", { currency });

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe("detail.currency");
    expect(error.message).toMatch(
      typeof currency === "string" ? /is not an ISO 4217 currency code/ : /expected a string/,
    );
  });

  it.each([
    "yesterday",
    "2026-11-20",
    "2026-11-20 08:00:00Z",
    "2026-11-20T08:00:00",
    "2026-02-30T08:00:00Z",
    "2026-11-20T25:00:00Z",
    1795766400000,
  ])("rejects the event time %j", (time) => {
    // Prepare
    const event = { ...sample("order.placed"), time };

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toBe("time");
  });

  it.each(["2026-11-20T08:00:00Z", "2026-11-20T08:00:00.123Z", "2026-11-20T16:00:00+08:00"])(
    "accepts the event time %s",
    (time) => {
      expect(parseEvent({ ...sample("order.placed"), time }).ok).toBe(true);
    },
  );

  it("rejects a coupon expiry without a time zone", () => {
    // Prepare
    const event = withDetail("coupon.issued", { expiresAt: "2026-12-24T23:59:59" });

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems.map((p) => p.path)).toEqual(["detail.expiresAt"]);
  });

  it("accepts an unknown detail-type, with any detail object, untouched", () => {
    // Prepare
    const event = { ...sample("order.placed"), "detail-type": "cart.abandoned", detail: { cartId: 7, items: [] } };

    // Act
    const result = parseEvent(event);

    // Assess
    expect(result.ok && result.event.detail).toEqual({ cartId: 7, items: [] });
    expect(isKnownDetailType("cart.abandoned")).toBe(false);
    expect(isKnownDetailType("order.placed")).toBe(true);
  });

  it("still requires the detail of an unknown detail-type to be an object", () => {
    // Prepare
    const event = { ...sample("order.placed"), "detail-type": "cart.abandoned", detail: "cart 7" };

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toEqual([{ path: "detail", message: 'expected an object, got "cart 7"' }]);
  });

  it("keeps the shop's own detail fields and the standard envelope fields", () => {
    // Prepare
    const event = withDetail("order.placed", { paymentMethod: "alipay", gift: { wrap: true } });

    // Act
    const result = parseEvent(event);

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.detail).toMatchObject({ paymentMethod: "alipay", gift: { wrap: true }, amount: 268.5 });
    expect(result.event).toMatchObject({ version: "0", account: "123456789012", region: "cn-north-1", resources: [] });
  });

  it("types each detail from the catalog", () => {
    expectTypeOf<DetailOf<"order.placed">["amount"]>().toEqualTypeOf<number>();
    expectTypeOf<DetailOf<"order.placed">["couponIds"]>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<DetailOf<"review.posted">["rating"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<DetailOf<"coupon.issued">["freeShipping"]>().toEqualTypeOf<boolean | undefined>();
  });

  it.each([
    [null, "null"],
    [undefined, "nothing"],
    [[], "an array"],
    ["order.placed", '"order.placed"'],
    [42, "42"],
    [true, "true"],
  ])("rejects %j as an event, without throwing", (raw, got) => {
    // Act
    const error = failure(parseEvent(raw));

    // Assess
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.problems).toEqual([
      { path: "", message: `expected an EventBridge event (a JSON object), got ${got}` },
    ]);
    expect(error.message).toBe(`event (no id): expected an EventBridge event (a JSON object), got ${got}`);
  });

  it("does not throw on an object that throws when read", () => {
    // Prepare
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("no reading");
        },
        ownKeys() {
          throw new Error("no listing");
        },
      },
    );

    // Act
    const error = failure(parseEvent(hostile));

    // Assess
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toContain("no reading");
  });

  it("reports every problem together, one line each, envelope and detail", () => {
    // Prepare
    const event = {
      id: "a1",
      "detail-type": "order.placed",
      time: "now",
      detail: { userId: "u1", amount: "12.5", currency: "cny" },
    };

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems.map((p) => p.path)).toEqual([
      "source",
      "time",
      "detail.orderId",
      "detail.amount",
      "detail.currency",
    ]);
    expect(error.message.split("\n")).toEqual([
      "event a1: source: required field is missing",
      'event a1: time: "now" is not an ISO-8601 date-time with a time zone (e.g. "2026-11-20T08:00:00Z")',
      "event a1: detail.orderId: required field is missing",
      'event a1: detail.amount: expected a number, got "12.5"',
      'event a1: detail.currency: "cny" is not an ISO 4217 currency code (three capital letters, e.g. "CNY")',
    ]);
  });

  it("says (no id) when the id is missing or empty", () => {
    // Prepare
    const event = { ...withDetail("order.placed", { amount: "x" }), id: "" };

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.message.split("\n")).toEqual([
      "event (no id): id: must not be empty",
      'event (no id): detail.amount: expected a number, got "x"',
    ]);
  });
});

describe("a promotion's schedule and a presale's deposit (issue 16)", () => {
  const STARTS = "2026-11-10T20:00:00+08:00";

  it("accepts a schedule with a deposit window ending as the promotion starts, and one with none", () => {
    // Prepare
    const presale = sample("promotion.scheduled");
    const plain = withDetail("promotion.scheduled", { depositStartsAt: undefined, depositEndsAt: undefined });

    // Act
    const results = [presale, plain].map((event) => parseEvent(event));

    // Assess
    expect(results.map((result) => (result.ok ? "" : result.error.message))).toEqual(["", ""]);
    expect(presale.detail).toMatchObject({ startsAt: STARTS, depositEndsAt: STARTS });
  });

  it("accepts a deposit paid, its amount a number like an order's", () => {
    // Prepare
    const event = withDetail("order.deposit_paid", { amount: 0.5 });

    // Act
    const result = parseEvent(event);

    // Assess
    expect(result.ok && result.event.detail).toMatchObject({ promotionId: "promo_double11", amount: 0.5 });
    expectTypeOf<DetailOf<"order.deposit_paid">["amount"]>().toEqualTypeOf<number>();
    expectTypeOf<DetailOf<"promotion.scheduled">["depositEndsAt"]>().toEqualTypeOf<string | undefined>();
  });

  it.each([
    [
      "an end before the start",
      { endsAt: "2026-11-10T08:00:00+08:00" },
      [{ path: "detail.endsAt", message: `must be after startsAt (${STARTS}), got "2026-11-10T08:00:00+08:00"` }],
    ],
    [
      "an end at the start, in another zone",
      { endsAt: "2026-11-10T12:00:00Z" },
      [{ path: "detail.endsAt", message: `must be after startsAt (${STARTS}), got "2026-11-10T12:00:00Z"` }],
    ],
    [
      "a deposit window without its end",
      { depositEndsAt: undefined },
      [
        {
          path: "detail.depositEndsAt",
          message: "required field is missing: a deposit window has both ends, and depositStartsAt is given",
        },
      ],
    ],
    [
      "a deposit window without its start",
      { depositStartsAt: undefined },
      [
        {
          path: "detail.depositStartsAt",
          message: "required field is missing: a deposit window has both ends, and depositEndsAt is given",
        },
      ],
    ],
    [
      "a deposit window ending after the promotion starts",
      { depositEndsAt: "2026-11-10T20:00:01+08:00" },
      [
        {
          path: "detail.depositEndsAt",
          message: `must be no later than startsAt (${STARTS}): the deposit is paid before the promotion starts, got "2026-11-10T20:00:01+08:00"`,
        },
      ],
    ],
    [
      "a deposit window ending before it starts",
      { depositStartsAt: "2026-10-21T20:00:00+08:00", depositEndsAt: "2026-10-21T19:00:00+08:00" },
      [
        {
          path: "detail.depositEndsAt",
          message: 'must be after depositStartsAt (2026-10-21T20:00:00+08:00), got "2026-10-21T19:00:00+08:00"',
        },
      ],
    ],
    [
      "an end before the start and a deposit after it, both at once",
      { endsAt: "2026-11-10T08:00:00+08:00", depositEndsAt: "2026-11-11T00:00:00+08:00" },
      [
        { path: "detail.endsAt", message: `must be after startsAt (${STARTS}), got "2026-11-10T08:00:00+08:00"` },
        {
          path: "detail.depositEndsAt",
          message: `must be no later than startsAt (${STARTS}): the deposit is paid before the promotion starts, got "2026-11-11T00:00:00+08:00"`,
        },
      ],
    ],
    [
      "a start without a time zone",
      { startsAt: "2026-11-10T20:00:00" },
      [
        {
          path: "detail.startsAt",
          message: '"2026-11-10T20:00:00" is not an ISO-8601 date-time with a time zone (e.g. "2026-11-20T08:00:00Z")',
        },
      ],
    ],
    [
      "a deposit window end that is not a time",
      { depositEndsAt: "Nov 10" },
      [
        {
          path: "detail.depositEndsAt",
          message: '"Nov 10" is not an ISO-8601 date-time with a time zone (e.g. "2026-11-20T08:00:00Z")',
        },
      ],
    ],
  ] as const)("refuses a promotion.scheduled with %s, naming the field and why", (_, changes, problems) => {
    // Prepare
    const event = withDetail("promotion.scheduled", changes);

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toEqual(problems);
    expect(error.message.split("\n")).toEqual(
      problems.map((p) => `event ${String(event.id)}: ${p.path}: ${p.message}`),
    );
  });

  it.each([
    [{ amount: "50" }, "detail.amount", 'expected a number, got "50"'],
    [{ amount: -50 }, "detail.amount", "must be >= 0, got -50"],
    [{ promotionId: "" }, "detail.promotionId", "must not be empty"],
  ] as const)("refuses an order.deposit_paid with %j", (changes, path, message) => {
    // Prepare
    const event = withDetail("order.deposit_paid", changes);

    // Act
    const error = failure(parseEvent(event));

    // Assess
    expect(error.problems).toEqual([{ path, message }]);
  });
});

describe("parseEventJson", () => {
  it("parses a JSON line", () => {
    // Prepare
    const line = JSON.stringify(sample("coupon.issued"));

    // Act
    const result = parseEventJson(line);

    // Assess
    expect(result.ok && result.event.detail.code).toBe("THANKS20-9KQ4");
  });

  it.each(["{oops", "", '{"id": "a1",'])("fails on the invalid JSON text %j, without throwing", (text) => {
    // Act
    const error = failure(parseEventJson(text));

    // Assess
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(/^event \(no id\): is not valid JSON: /);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("fails on JSON that is not an event object", () => {
    // Act
    const error = failure(parseEventJson("[1, 2]"));

    // Assess
    expect(error.message).toBe("event (no id): expected an EventBridge event (a JSON object), got an array");
  });
});

describe("a one-off service message requested (issue 17)", () => {
  it("is the request its event id names, unless the shop gives a requestId of its own", () => {
    // Prepare
    const plain = sample("message.requested");
    const own = withDetail("message.requested", { requestId: "ship-SO-1" });
    // Act
    const [first, second] = [plain, own].map((event) => parseEvent(event));
    // Assess
    expect(first?.ok && first.event.detail).toMatchObject({ template: "order-shipped", requestId: plain.id });
    expect(second?.ok && second.event.detail.requestId).toBe("ship-SO-1");
  });

  it("refuses a request whose data is not an object, naming the field", () => {
    // Prepare
    const event = withDetail("message.requested", { data: "SO-1" });
    // Act
    const result = parseEvent(event);
    // Assess
    expect(result.ok ? [] : result.error.problems).toEqual([
      { path: "detail.data", message: 'expected an object, got "SO-1"' },
    ]);
  });
});

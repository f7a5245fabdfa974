import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Context, Drop, Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { compileFastPath, type DateFilter } from "../../functions/language/template-fast-path.ts";
import {
  DEFAULT_TIMEZONE,
  formatInTimeZone,
  hasFastPath,
  parseTemplate,
  renderTemplate,
} from "../../functions/language/templates.ts";

/**
 * The fast path must render byte for byte what liquidjs renders. The reference is a plain Liquid instance
 * configured as templates.ts configures its own, with the engine's `date` filter as it was before the fast
 * path existed.
 */

function referenceDate(
  this: { context: { getSync(path: string[]): unknown } },
  value: unknown,
  format: unknown,
  tz: unknown,
): string {
  const timeZone = typeof tz === "string" ? tz : this.context.getSync(["profile", "timezone"]);
  return formatInTimeZone(
    value,
    typeof format === "string" ? format : "%Y-%m-%d %H:%M",
    typeof timeZone === "string" ? timeZone : DEFAULT_TIMEZONE,
  );
}

const reference = new Liquid({ strictFilters: true, ownPropertyOnly: true });
reference.registerFilter("date", referenceDate);

const date: DateFilter = {
  handler: referenceDate,
  format: (value, format, timeZone) =>
    formatInTimeZone(
      value,
      typeof format === "string" ? format : "%Y-%m-%d %H:%M",
      typeof timeZone === "string" ? timeZone : DEFAULT_TIMEZONE,
    ),
};

/** liquidjs's own rendering, or the error it throws. */
function liquidjs(source: string, scope: object): string {
  try {
    return String(reference.renderSync(reference.parse(source), scope));
  } catch (error) {
    return `ERROR ${(error as Error).message}`;
  }
}

/**
 * The fast path on its own (undefined: it hands the render to liquidjs), or "ERROR" when it throws: then
 * renderTemplate lets liquidjs render, to throw liquidjs's own error.
 */
function fastPath(source: string, scope: object): string | undefined {
  const fast = compileFastPath(source, reference.parse(source), reference, date);
  if (fast === undefined) throw new Error(`no fast path for ${source}`);
  try {
    return fast(scope);
  } catch {
    return "ERROR";
  }
}

/** The engine's renderTemplate, or the error it throws. */
function engine(source: string, scope: object): string {
  try {
    return renderTemplate(parseTemplate(source), scope);
  } catch (error) {
    return `ERROR ${(error as Error).message}`;
  }
}

/** A small seeded generator, so that the corpus is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Getter {
  get onPrototype(): string {
    return "getter";
  }
}

function values(): Record<string, unknown> {
  const inherited = Object.assign(Object.create({ fromProto: "inherited", nested: { x: 1 } }) as object, {
    own: "own",
  });
  const nullPrototype = Object.assign(Object.create(null) as object, { key: "null prototype" });
  return {
    text: "Hello World",
    chinese: "你好，世界！券码",
    emptyString: "",
    spaces: "  padded 文本 \n\t",
    mixedCase: "hELLO wORLD ßtraße",
    surrogate: "𝒳yz",
    zero: 0,
    negative: -42,
    float: 0.1 + 0.2,
    price: 12.5,
    negativeFloat: -0.5,
    negativeZero: -0,
    big: 1e21,
    small: 1e-7,
    notANumber: Number.NaN,
    infinity: Number.POSITIVE_INFINITY,
    bigint: 12345678901234567890n,
    t: true,
    f: false,
    nil: null,
    undef: undefined,
    array: ["a", 1, null, true, undefined],
    emptyArray: [],
    nestedArray: [
      [1, 2],
      ["x", [undefined, "y"]],
    ],
    objectArray: [{ a: 1 }, "b"],
    nested: { inner: { deep: "深" } },
    emptyObject: {},
    "key with space": "spaced",
    双引号: "quoted key",
    inherited,
    nullPrototype,
    instance: new Getter(),
    when: new Date(Date.UTC(2026, 10, 27, 16)),
    map: new Map([["a", 1]]),
    dates: {
      iso: "2026-11-27T16:00:00Z",
      ms: 1795795200000,
      summer: "2026-07-01T12:00:00Z",
      bad: "not a date",
      local: "2026-03-08 10:00",
      zero: 0,
    },
  };
}

function scopes(): Record<string, object> {
  const base = {
    coupon: { code: "NEW7K2P9QXM", amountOff: 20, expiresAt: "2026-11-27T16:00:00Z" },
    trigger: { detail: { orderId: "O-1001", amountOff: 30.5, code: "BACK30", expiresAt: "2026-12-31T15:59:59Z" } },
    values: values(),
  };
  return {
    shanghai: { ...base, profile: { timezone: "Asia/Shanghai", attributes: { nickname: "小明" } } },
    london: { ...base, profile: { timezone: "Europe/London", attributes: {} } },
    newYork: { ...base, profile: { timezone: "America/New_York", attributes: { nickname: "" } } },
    unknownZone: { ...base, profile: { timezone: "Mars/Base", attributes: { nickname: null } } },
    numericZone: { ...base, profile: { timezone: 8 } },
    inheritedZone: { ...base, profile: Object.create({ timezone: "Europe/London" }) as object },
    noProfile: base,
    nullProfile: { ...base, profile: null },
    valuesIsArray: { ...base, profile: {}, values: ["zero", "one"] },
    valuesIsString: { ...base, profile: {}, values: "a string" },
    inheritedRoot: Object.assign(
      Object.create({ values: values(), profile: { timezone: "Europe/London" } }) as object,
      {
        coupon: base.coupon,
      },
    ),
    empty: {},
  };
}

const PATHS = [
  "coupon.code",
  "coupon.amountOff",
  "coupon.expiresAt",
  "coupon.missing",
  "missing.deep.path",
  "profile.attributes.nickname",
  "profile.timezone",
  "trigger.detail.orderId",
  "trigger.detail.amountOff",
  "values",
  "values.text",
  "values.chinese",
  "values.emptyString",
  "values.spaces",
  "values.mixedCase",
  "values.surrogate",
  "values.zero",
  "values.negative",
  "values.float",
  "values.price",
  "values.negativeFloat",
  "values.negativeZero",
  "values.big",
  "values.small",
  "values.notANumber",
  "values.infinity",
  "values.bigint",
  "values.t",
  "values.f",
  "values.nil",
  "values.undef",
  "values.array",
  "values.array[0]",
  "values.array[1]",
  "values.array[9]",
  "values.array.length",
  "values.emptyArray",
  "values.nestedArray",
  "values.nestedArray[1][1]",
  "values.objectArray",
  "values.nested",
  "values.nested.inner.deep",
  "values.nested['inner'].deep",
  "values.emptyObject",
  "values['key with space']",
  'values["双引号"]',
  "values.inherited.own",
  "values.inherited.fromProto",
  "values.inherited.nested.x",
  "values.nullPrototype.key",
  "values.instance.onPrototype",
  "values.when",
  "values.map",
  "values.text.length",
  "values.text[0]",
  "values.zero.x",
  "values.nil.x",
  "values.dates.iso",
  "values.dates.ms",
  "values.dates.summer",
  "values.dates.bad",
  "values.dates.local",
  "values.dates.zero",
  "values.constructor",
  "values.__proto__",
  "values.toString",
  "values.hasOwnProperty",
  "toString",
  "constructor",
  "values[0]",
];

const FILTERS = [
  "",
  " | default: 'fallback'",
  " | default: '默认'",
  " | default: ''",
  " | default: 0",
  " | default: -1.5",
  " | default: true",
  " | default: false",
  " | default",
  " | default: 'x', allow_false: true",
  " | default: 'x', allow_false: false",
  " | default: 'x', allow_false: 'yes'",
  ' | default: "double"',
  " | default: 'it\\'s'",
  " | upcase",
  " | downcase",
  " | capitalize",
  " | strip",
  " | date",
  " | date: '%Y-%m-%d %H:%M:%S %a %%'",
  " | date: '%-m月%-d日 %-H:%M'",
  " | date: '%-m月%-d日 %H:%M', 'Europe/London'",
  " | date: '%Y %q %-q %', 'America/New_York'",
  " | date: '%H:%M', 'Mars/Base'",
  " | date: 5",
  " | date: '%d', 7",
  " | default: '  pad  ' | strip | upcase",
  " | strip | default: 'blank after strip'",
  " | date: '%H' | default: 'none'",
  " | upcase | default: 'x' | capitalize",
  " | default: '2026-01-01T00:00:00Z' | date: '%Y-%m-%d'",
  " | downcase | strip",
];

const TEXTS = ["", "欢迎加入！券码 ", " 前有效", "Code: ", "{ not output }", " } ", "100% ", "\n", "，", "{x", "}"];

/** Every path with every filter chain, and random templates of several outputs between pieces of text. */
function supportedCorpus(): string[] {
  const corpus: string[] = [];
  for (const path of PATHS) {
    for (const filters of FILTERS) corpus.push(`[{{ ${path}${filters} }}]`);
  }
  const next = random(20261127);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  for (let i = 0; i < 300; i++) {
    let source = pick(TEXTS);
    const outputs = 1 + Math.floor(next() * 4);
    for (let o = 0; o < outputs; o++) {
      const spaces = pick(["", " ", "  "]);
      source += `{{${spaces}${pick(PATHS)}${pick(FILTERS)}${spaces}}}${pick(TEXTS)}`;
    }
    corpus.push(source);
  }
  corpus.push("", "只有文字，没有占位符。", "{{ coupon.code }}{{ coupon.code }}", "{{coupon.code}}");
  return corpus;
}

/** Templates beyond the fast path: liquidjs renders them. */
const UNSUPPORTED = [
  "{% if coupon %}{{ coupon.code }}{% endif %}",
  "{% raw %}{{ coupon.code }}{% endraw %}",
  "{%- comment -%}x{%- endcomment -%}{{ coupon.code }}",
  "a {{- coupon.code }} b",
  "a {{ coupon.code -}} b",
  "{{ coupon.code | append: '!' }}",
  "{{ coupon.code | default: 'a' | append: 'b' }}",
  "{{ coupon.code | default: nil }}",
  "{{ coupon.code | default: null }}",
  "{{ coupon.code | default: empty }}",
  "{{ coupon.code | default: trigger.detail.code }}",
  "{{ coupon.code | default: 'a', 'b' }}",
  "{{ coupon.code | default: allow_false: true }}",
  "{{ coupon.code | default: 'a', allow_false }}",
  "{{ coupon.expiresAt | date: values.format }}",
  "{{ coupon.expiresAt | date: '%Y', tz: 'UTC' }}",
  "{{ coupon.expiresAt | date: '%Y', 'UTC', 'extra' }}",
  "{{ coupon.code | strip: 'N' }}",
  "{{ coupon.code | upcase: 1 }}",
  "{{ values.array.size }}",
  "{{ values.text.size }}",
  "{{ size }}",
  "{{ values.array.first }}",
  "{{ values.array.last }}",
  "{{ values.array[-1] }}",
  "{{ values.array[values.zero] }}",
  "{{ 'literal' }}",
  "{{ 5 }}",
  "{{ true }}",
  "{{ nil }}",
  "{{ empty }}",
  "{{ (1..3) }}",
  "{{ coupon.code == 'x' }}",
  "{{ 'abc'.size }}",
];

/** Scopes whose values liquidjs treats specially: the compiled template hands them to liquidjs. */
class Greeting extends Drop {
  get name(): string {
    return "drop property";
  }
  override liquidMethodMissing(key: string | number): unknown {
    return `missing ${String(key)}`;
  }
  override valueOf(): string {
    return "drop value";
  }
}

function exoticScopes() {
  return {
    drop: () => ({ values: new Greeting(), profile: {} }),
    dropValue: () => ({ values: { drop: new Greeting() }, profile: {} }),
    toLiquid: () => ({ values: { toLiquid: () => ({ text: "from toLiquid", drop: "t" }) }, profile: {} }),
    functions: () => ({
      values: {
        text() {
          return "called";
        },
        drop: () => ({ nested: true }),
      },
      profile: {},
    }),
    iterator: () => ({
      values: (function* () {
        yield "first";
        return "generator result";
      })(),
      profile: {},
    }),
    iteratorValue: () => ({
      values: {
        text: (function* () {
          yield 1;
          return "generator result";
        })(),
      },
      profile: {},
    }),
    zoneFunction: () => ({ values: { text: "2026-11-27T16:00:00Z" }, profile: { timezone: () => "Europe/London" } }),
    rootDrop: () => new Greeting(),
    context: () => new Context({ values: { text: "in a context" }, profile: {} }),
  };
}

describe("template fast path", () => {
  it("renders a generated corpus byte for byte as liquidjs does", () => {
    // Prepare
    const corpus = supportedCorpus();
    const all = scopes();
    let compared = 0;
    const differences: string[] = [];
    // Act
    for (const source of corpus) {
      for (const [name, scope] of Object.entries(all)) {
        const expected = liquidjs(source, scope);
        const fast = fastPath(source, scope);
        const rendered = engine(source, scope);
        if (fast !== (expected.startsWith("ERROR ") ? "ERROR" : expected) || rendered !== expected) {
          differences.push(
            `${source} with ${name}: liquidjs ${JSON.stringify(expected)}, fast path ${
              JSON.stringify(fast) // undefined here would mean a plain scope was handed back to liquidjs
            }, renderTemplate ${JSON.stringify(rendered)}`,
          );
        }
        compared++;
      }
    }
    // Assess
    expect(corpus.length).toBeGreaterThan(2_000);
    expect(compared).toBe(corpus.length * Object.keys(all).length);
    expect(differences).toEqual([]);
  });

  it("compiles every template of the corpus, and the engine's own parse takes the fast path for each", () => {
    // Prepare
    const corpus = supportedCorpus();
    // Act
    const slow = corpus.filter((source) => !hasFastPath(parseTemplate(source)));
    // Assess
    expect(slow).toEqual([]);
  });

  it("leaves templates beyond the subset to liquidjs, which renders them as before", () => {
    // Prepare
    const all = scopes();
    // Act
    const compiled = UNSUPPORTED.filter((source) => hasFastPath(parseTemplate(source)));
    const differences = UNSUPPORTED.flatMap((source) =>
      Object.entries(all)
        .filter(([, scope]) => engine(source, scope) !== liquidjs(source, scope))
        .map(([name]) => `${source} with ${name}`),
    );
    // Assess
    expect(compiled).toEqual([]);
    expect(differences).toEqual([]);
  });

  it("hands scopes with drops, toLiquid, functions or iterators to liquidjs and renders what it renders", () => {
    // Prepare
    const sources = [
      "{{ values }}",
      "{{ values.text }}",
      "{{ values.name }}|{{ values.other }}",
      "{{ values.drop }}",
      "{{ values.drop.nested }}",
      "{{ values.text | default: 'x' }}",
      "{{ values.drop | upcase }}",
      "{{ values.text | date: '%H:%M' }}",
    ];
    const differences: string[] = [];
    // Act
    for (const source of sources) {
      for (const [name, scope] of Object.entries(exoticScopes())) {
        const expected = liquidjs(source, scope());
        const rendered = engine(source, scope());
        if (rendered !== expected) differences.push(`${source} with ${name}: ${rendered} ≠ ${expected}`);
      }
    }
    // Assess
    expect(differences).toEqual([]);
    expect(fastPath("{{ values.text }}", exoticScopes().functions())).toBeUndefined();
    expect(fastPath("{{ values.text }}", exoticScopes().iteratorValue())).toBeUndefined();
    expect(fastPath("{{ values.text }}", exoticScopes().toLiquid())).toBeUndefined();
    expect(fastPath("{{ values.name }}", exoticScopes().drop())).toBeUndefined();
    expect(fastPath("{{ values.text | date }}", exoticScopes().zoneFunction())).toBeUndefined();
  });

  it("fails as liquidjs fails when a value cannot be rendered", () => {
    // Prepare: an object that claims to be an array, which liquidjs's stringify then cannot join.
    const scope = { values: { fake: { [Symbol.toStringTag]: "Array" } } };
    const source = "{{ values.fake }}";
    // Act
    const expected = liquidjs(source, scope);
    const rendered = engine(source, scope);
    // Assess
    expect(expected).toMatch(/^ERROR /);
    expect(rendered).toBe(expected);
    expect(engine("{{ values.fake | default: 'fake and empty' }}", scope)).toBe("fake and empty");
  });

  it("takes the fast path for text and output tags with the common filters", () => {
    // Prepare
    const cases: [string, boolean][] = [
      ["只有文字", true],
      ["", true],
      ["券码 {{ coupon.code }}", true],
      ["{{ trigger.detail.orderId }}", true],
      ["{{ profile.attributes['nick name'] | default: '朋友' }}", true],
      ["{{ coupon.expiresAt | date: '%-m月%-d日 %H:%M' }}", true],
      ["{{ coupon.expiresAt | date: '%H:%M', 'Europe/London' }}", true],
      ["{{ coupon.code | strip | upcase | downcase | capitalize }}", true],
      ["{{ values.list[0] }}", true],
      ["{% if coupon %}x{% endif %}", false],
      ["{{- coupon.code }}", false],
      ["{{ coupon.code | append: 'x' }}", false],
      ["{{ coupon.list.first }}", false],
      ["{{ coupon.code | default: profile.locale }}", false],
    ];
    // Act
    const taken = cases.map(([source]) => [source, hasFastPath(parseTemplate(source))]);
    // Assess
    expect(taken).toEqual(cases);
  });

  it("takes the fast path for every message template of the shipped journeys", () => {
    // Prepare
    const directory = join(import.meta.dirname, "../../journeys/templates");
    const texts = readdirSync(directory)
      .filter((file) => file.endsWith(".json"))
      .flatMap((file) => {
        const template = JSON.parse(readFileSync(join(directory, file), "utf8")) as {
          locales: Record<string, { title?: string; body: string }>;
        };
        return Object.values(template.locales).flatMap(({ title, body }) =>
          title === undefined ? [body] : [title, body],
        );
      });
    // Act
    const slow = texts.filter((text) => !hasFastPath(parseTemplate(text)));
    // Assess
    expect(texts.length).toBeGreaterThan(5);
    expect(slow).toEqual([]);
  });

  it("does not compile when the engine's options differ from those it reproduces", () => {
    // Prepare
    const escaping = new Liquid({ strictFilters: true, ownPropertyOnly: true, outputEscape: "escape" });
    const inherited = new Liquid({ strictFilters: true, ownPropertyOnly: false });
    const source = "{{ coupon.code }}";
    // Act / Assess
    expect(compileFastPath(source, escaping.parse(source), escaping, date)).toBeUndefined();
    expect(compileFastPath(source, inherited.parse(source), inherited, date)).toBeUndefined();
    expect(compileFastPath(source, reference.parse(source), reference, date)).toBeDefined();
  });
});

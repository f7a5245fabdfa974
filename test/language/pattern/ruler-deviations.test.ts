/**
 * Issue 19: the deviations that differential testing against AWS Event Ruler (EventBridge's engine, 2.0.1 and
 * 1.7.4) found. Each expected answer below is Event Ruler's for the same pattern and event.
 */
import { describe, expect, it } from "vitest";
import { matchesPattern, validatePattern } from "../../../functions/language/pattern/index.ts";
import { event } from "./fixtures.ts";

describe("issue 19, case 1: exists false inside an array of objects", () => {
  const pattern = { detail: { a: { b: ["x"], c: [{ exists: false }] } } };

  it("matches through an element that has b = x and no c", () => {
    // Prepare: the minimised event, under detail
    const document = event({ a: [{ b: "x", c: 1 }, { b: "x" }] });
    // Act
    const matched = matchesPattern(pattern, document);
    // Assess
    expect(matched).toBe(true);
  });

  it("does not match when the only element with b = x has a c", () => {
    expect(matchesPattern(pattern, event({ a: [{ b: "x", c: 1 }, { b: "y" }] }))).toBe(false);
  });

  it("does not match when c sits outside the array, beside every element", () => {
    const outside = { detail: { a: { b: ["x"] }, c: [{ exists: false }] } };
    expect(matchesPattern(outside, event({ a: [{ b: "x" }], c: 1 }))).toBe(false);
  });

  it("an empty array or an object is no leaf, so c counts as absent there", () => {
    expect(
      matchesPattern(
        pattern,
        event({
          a: [
            { b: "x", c: null },
            { b: "x", c: [] },
          ],
        }),
      ),
    ).toBe(true);
    expect(
      matchesPattern(
        pattern,
        event({
          a: [
            { b: "x", c: null },
            { b: "x", c: {} },
          ],
        }),
      ),
    ).toBe(true);
  });

  it("a c nested deeper in the same element still counts as beside b", () => {
    const nested = { detail: { a: { b: ["x"], d: { c: [{ exists: false }] } } } };
    expect(matchesPattern(nested, event({ a: [{ b: "x", d: [{ c: 1 }, { e: 1 }] }] }))).toBe(false);
  });

  it("two absent fields need one element without either", () => {
    const both = { detail: { a: { b: ["x"], c: [{ exists: false }], d: [{ exists: false }] } } };
    const elements = [
      { b: "x", c: 1 },
      { b: "x", d: 1 },
    ];
    expect(matchesPattern(both, event({ a: elements }))).toBe(false);
    expect(matchesPattern(both, event({ a: [...elements, { b: "x" }] }))).toBe(true);
  });

  it("an absence is checked against the fields before it in path order, as Event Ruler walks them", () => {
    // Prepare: the same shape as the case, with the present field named z (after c) instead of b
    const zAfterC = { detail: { a: { z: ["x"], c: [{ exists: false }] } } };
    // Act
    const matched = matchesPattern(zAfterC, event({ a: [{ z: "x", c: 1 }, { z: "x" }] }));
    // Assess: Event Ruler checks c's absence before any element is chosen for z, so it sees the c of element 0
    expect(matched).toBe(false);
  });
});

describe("issue 19, case 3: numeric bounds at the documented limit of ±5e9", () => {
  it("accepts >= 5e9 and matches 5e9 itself", () => {
    // Prepare / Act
    const matched = matchesPattern({ detail: { n: [{ numeric: [">=", 5e9] }] } }, event({ n: 5_000_000_000 }));
    // Assess
    expect(matched).toBe(true);
  });

  it("accepts <= -5e9 and matches -5e9 itself", () => {
    expect(matchesPattern({ detail: { n: [{ numeric: ["<=", -5e9] }] } }, event({ n: -5_000_000_000 }))).toBe(true);
  });

  it("accepts > 5e9 (Event Ruler does), which matches nothing", () => {
    expect(matchesPattern({ detail: { n: [{ numeric: [">", 5e9] }] } }, event({ n: 5_000_000_000 }))).toBe(false);
  });

  it("still refuses a two-sided range with nothing inside", () => {
    expect(() => validatePattern({ n: [{ numeric: [">=", 1, "<", 1] }] })).toThrow(
      "n[0].numeric: the range is empty: the lower bound must be below the upper bound",
    );
  });
});

describe("issue 19, case 5: a number beyond a double's range", () => {
  // JSON.parse reads 1e400 as Infinity, so the pattern must come from JSON text to reproduce the case
  const overflow = "the number overflows a 64-bit double (it is beyond ±1.8e308, so it reads as";

  it("an exact value of 1e400 is refused saying the number overflows", () => {
    // Prepare
    const pattern = JSON.parse('{"detail": {"n": [-1e400]}}');
    // Act / Assess
    expect(() => validatePattern(pattern)).toThrow(`detail.n[0]: ${overflow} -Infinity)`);
  });

  it("a numeric operand of 1e400 is refused the same way", () => {
    const pattern = JSON.parse('{"detail": {"n": [{"numeric": [">", 1e400]}]}}');
    expect(() => validatePattern(pattern)).toThrow(`detail.n[0].numeric[1]: ${overflow} Infinity)`);
  });

  it("an anything-but number of 1e400 is refused the same way", () => {
    const pattern = JSON.parse('{"n": [{"anything-but": [1, 1e400]}]}');
    expect(() => validatePattern(pattern)).toThrow(`n[0].anything-but[1]: ${overflow} Infinity)`);
  });
});

describe("issue 19, case 4: Unicode case in the ignore-case operators, as Event Ruler", () => {
  // Each pattern character stands for its own lower- or upper-case form; the event's value is compared as written.
  const equalsIgnoreCase = (value: string, text: string) =>
    matchesPattern({ detail: { s: [{ "equals-ignore-case": value }] } }, event({ s: text }));

  it("ǆ matches its upper case Ǆ but not its title case ǅ", () => {
    // Prepare / Act
    const upper = equalsIgnoreCase("ǆ", "Ǆ");
    const title = equalsIgnoreCase("ǆ", "ǅ");
    // Assess: lower-casing both sides, as Nudge did before, would have matched ǅ
    expect([upper, title]).toEqual([true, false]);
  });

  it("ß matches ß and its upper case SS, not ss", () => {
    expect([equalsIgnoreCase("ß", "ß"), equalsIgnoreCase("ß", "SS"), equalsIgnoreCase("ß", "ss")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(equalsIgnoreCase("SS", "ß")).toBe(false);
  });

  it("Turkish İ matches İ and its lower case i̇ (i with a combining dot), not i; ı matches I", () => {
    expect([equalsIgnoreCase("İ", "İ"), equalsIgnoreCase("İ", "i\u0307"), equalsIgnoreCase("İ", "i")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([equalsIgnoreCase("ı", "I"), equalsIgnoreCase("I", "ı"), equalsIgnoreCase("i", "İ")]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("final sigma ς matches Σ but not σ", () => {
    expect([equalsIgnoreCase("ς", "Σ"), equalsIgnoreCase("ς", "σ"), equalsIgnoreCase("Σ", "ς")]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("prefix and suffix with equals-ignore-case follow the same rule", () => {
    const prefix = { detail: { s: [{ prefix: { "equals-ignore-case": "ß" } }] } };
    const suffix = { detail: { s: [{ suffix: { "equals-ignore-case": "ǆ" } }] } };
    expect([matchesPattern(prefix, event({ s: "SSt" })), matchesPattern(prefix, event({ s: "sst" }))]).toEqual([
      true,
      false,
    ]);
    expect([matchesPattern(suffix, event({ s: "xǄ" })), matchesPattern(suffix, event({ s: "xǅ" }))]).toEqual([
      true,
      false,
    ]);
  });

  it("anything-but equals-ignore-case excludes exactly what equals-ignore-case matches", () => {
    const pattern = { detail: { s: [{ "anything-but": { "equals-ignore-case": ["ß", "ǆ"] } }] } };
    expect(["SS", "ss", "Ǆ", "ǅ"].map((s) => matchesPattern(pattern, event({ s })))).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });

  it("a character beyond U+FFFF is one character (a documented difference from Event Ruler)", () => {
    expect(["𐐀", "𐐨", "x"].map((s) => equalsIgnoreCase("𐐀", s))).toEqual([true, true, false]);
  });

  it("pattern characters that mean something in a regular expression are plain text", () => {
    expect([equalsIgnoreCase("a.*", "A.*"), equalsIgnoreCase("a.*", "abc")]).toEqual([true, false]);
  });
});

describe("issue 19, case 2: wildcard complexity counted as Event Ruler counts it", () => {
  const tooComplex = "rule is too complex (wildcard complexity";

  it("refuses an anything-but wildcard as complex as the too-complex wildcard (complexity 11)", () => {
    // Prepare: the example
    const pattern = { a: [{ "anything-but": { wildcard: "*0*1*0000*00" } }] };
    // Act / Assess
    expect(() => validatePattern(pattern)).toThrow(
      `a[0].anything-but.wildcard: ${tooComplex} 11 or more, EventBridge allows at most 10)`,
    );
  });

  it("still refuses the conformance case content_wildcard_complex_EXC", () => {
    const pattern = { EventBusArn: [{ wildcard: "*:*:*:*:*:event-bus/*" }] };
    expect(() => validatePattern(pattern)).toThrow(`EventBusArn[0].wildcard: ${tooComplex} 11`);
  });

  it("counts a wildcard once per $or branch that reaches it (Event Ruler: 6 alone, 11 in two branches)", () => {
    // Prepare: c sorts before z, so both branches add c's wildcard to the same byte machine
    const alone = { c: [{ wildcard: "0*ab*1*1*" }] };
    const inTwoBranches = { $or: [{ z: ["x"] }, { z: ["y"] }], c: [{ wildcard: "0*ab*1*1*" }] };
    // Act / Assess
    expect(() => validatePattern(alone)).not.toThrow();
    expect(() => validatePattern(inTwoBranches)).toThrow(`c[0].wildcard: ${tooComplex}`);
  });

  it("keeps apart the wildcards of branches that differ in a field before them (Event Ruler: 7, not 13)", () => {
    // Prepare: together on one field the two wildcards measure 13; after b = "x" or b = "y" they never meet
    const together = { z: [{ wildcard: "*0*1*00*" }, { wildcard: "*0*1*01*" }] };
    const apart = {
      $or: [
        { b: ["x"], z: [{ wildcard: "*0*1*00*" }] },
        { b: ["y"], z: [{ wildcard: "*0*1*01*" }] },
      ],
    };
    // Act / Assess
    expect(() => validatePattern(together)).toThrow(`z[1].wildcard: ${tooComplex}`);
    expect(() => validatePattern(apart)).not.toThrow();
  });

  it("puts the wildcards of branches that agree on the fields before them in one machine", () => {
    const sameState = {
      $or: [
        { b: ["x"], z: [{ wildcard: "*0*1*00*" }] },
        { b: ["x", "w"], z: [{ wildcard: "*0*1*01*" }] },
      ],
    };
    expect(() => validatePattern(sameState)).toThrow(`$or[1].z[0].wildcard: ${tooComplex}`);
  });
});

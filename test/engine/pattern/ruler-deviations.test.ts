/**
 * Issue 19: the deviations that differential testing against AWS Event Ruler (EventBridge's engine, 2.0.1 and
 * 1.7.4) found. Each expected answer below is Event Ruler's for the same pattern and event.
 */
import { describe, expect, it } from "vitest";
import { matchesPattern, validatePattern } from "../../../functions/engine/pattern/index.ts";
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

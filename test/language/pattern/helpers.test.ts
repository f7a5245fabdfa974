import { describe, expect, it } from "vitest";
import { machineComplexity, WILDCARD_COMPLEXITY_LIMIT } from "../../../functions/language/pattern/complexity.ts";
import { inRange, parseCidr, parseIp } from "../../../functions/language/pattern/ip.ts";
import { matchWildcard, parseWildcard } from "../../../functions/language/pattern/wildcard.ts";

function parts(wildcard: string): readonly string[] {
  const parsed = parseWildcard(wildcard);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

describe("wildcards", () => {
  // eb-create-pattern-operators.html, "Wildcard matching": "*" matches zero or more characters
  it.each([
    ["*.png", "image.png", true],
    ["*.png", ".png", true],
    ["*.png", "image.jpg", false],
    ["*Title*", "A Title here", true],
    ["*Title*", "Title", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYbZc", true],
    ["a*b*c", "acb", false],
    ["ab*ba", "aba", false],
    ["dir/*/doc.txt", "dir/a/b/doc.txt", true],
    ["\\*", "*", true],
    ["\\*", "x", false],
    ["a\\\\b", "a\\b", true],
    ["", "", true],
    ["", "x", false],
  ])("%s against %s is %s", (wildcard, text, expected) => {
    // Prepare
    const parsed = parts(wildcard);

    // Act
    const result = matchWildcard(parsed, text);

    // Assess
    expect(result).toBe(expected);
  });

  it("rejects consecutive wildcards and escapes other than \\* and \\\\", () => {
    // Prepare
    const wildcards = ["a**b", "a\\b", "trailing\\", "\\**"];

    // Act
    const results = wildcards.map(parseWildcard);

    // Assess
    expect(results).toEqual([
      "consecutive wildcard characters at position 1 are not allowed",
      'invalid escape at position 1: a backslash may only escape "*" or "\\"',
      'invalid escape at position 8: a backslash may only escape "*" or "\\"',
      ["*", ""],
    ]);
  });

  it("measures complexity as the states a worst-case value keeps alive", () => {
    // Prepare: eb-create-pattern-operators.html, "Wildcard matching" examples, and a too complex one
    const simple = [[parts("arn:aws:events:us-east-1:*:event-bus/*")]];
    const repeating = [[parts("/Users/*/dir/dir/dir/dir/dir/doc.txt")]];
    const tooComplex = [[parts("*:*:*:*:*:event-bus/*")]];

    // Act
    const scores = [machineComplexity(simple), machineComplexity(repeating), machineComplexity(tooComplex)];

    // Assess
    expect(scores[0]).toBeLessThanOrEqual(WILDCARD_COMPLEXITY_LIMIT);
    expect(scores[1]).toBeLessThanOrEqual(WILDCARD_COMPLEXITY_LIMIT);
    expect(scores[2]).toBeGreaterThan(WILDCARD_COMPLEXITY_LIMIT);
  });
});

describe("IP addresses", () => {
  it("reads IPv4 and IPv6 literals and nothing else", () => {
    // Prepare
    const texts = [
      "10.0.0.255",
      "10.0.0.256",
      "2001:db8::1",
      "::",
      "::ffff:0a00:0001",
      "xx.1.2.3",
      "1.2.3",
      "a:b:c:d:e:f:0:1:2",
    ];

    // Act
    const parsed = texts.map((t) => parseIp(t)?.join("."));

    // Assess
    expect(parsed).toEqual([
      "10.0.0.255",
      undefined,
      "32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1",
      "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
      "10.0.0.1",
      undefined,
      undefined,
      undefined,
    ]);
  });

  // eb-create-pattern-operators.html, "IP address matching"
  it.each([
    ["10.0.0.0/24", "10.0.0.0", true],
    ["10.0.0.0/24", "10.0.0.255", true],
    ["10.0.0.0/24", "10.0.1.0", false],
    ["10.0.0.0/8", "10.255.255.255", true],
    ["2001:db8:1234:1a00::/64", "2001:db8:1234:1a00:ffff:ffff:ffff:ffff", true],
    ["2001:db8:1234:1a00::/64", "2001:db8:1234:1a01::", false],
    ["10.0.0.0/24", "::ffff:10.0.0.1", false],
  ])("%s contains %s: %s", (cidr, address, expected) => {
    // Prepare
    const range = parseCidr(cidr);
    if (typeof range === "string") throw new Error(range);

    // Act
    const ip = parseIp(address);

    // Assess
    expect(ip !== undefined && inRange(range, ip)).toBe(expected);
  });

  it("rejects malformed CIDR blocks with the reason", () => {
    // Prepare
    const blocks = ["10.0.0.0", "10.0.0.0/x", "10.0.0.0/-1", "10.0.0.0/32", "::/128", "300.0.0.0/8"];

    // Act
    const results = blocks.map(parseCidr);

    // Assess
    expect(results).toEqual([
      'malformed CIDR "10.0.0.0": expected address/bits, such as "10.0.0.0/24"',
      'malformed CIDR "10.0.0.0/x": the mask bits must be an integer',
      'malformed CIDR "10.0.0.0/-1": the mask bits must not be negative',
      'malformed CIDR "10.0.0.0/32": IPv4 mask bits must be below 32',
      'malformed CIDR "::/128": IPv6 mask bits must be below 128',
      'malformed CIDR "300.0.0.0/8": "300.0.0.0" is not an IPv4 or IPv6 address',
    ]);
  });
});

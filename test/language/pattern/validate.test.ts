import { describe, expect, it } from "vitest";
import { compilePattern, type EventPattern, validatePattern } from "../../../functions/language/pattern/index.ts";
import { InvalidPatternError, NudgeError } from "../../../functions/shared/errors.ts";

interface Invalid {
  name: string;
  pattern: unknown;
  /** The message's start: the JSON path, then the problem. */
  message: string;
}

const invalid: Invalid[] = [
  // eb-event-patterns.html: an event pattern is a JSON object whose leaves are arrays of values
  {
    name: "not an object",
    pattern: ["aws.ec2"],
    message: "(root): an event pattern must be a JSON object, got an array",
  },
  { name: "empty pattern", pattern: {}, message: "(root): must not be an empty object" },
  // eb-event-patterns.html, "Considerations when creating event patterns": values to match go in an array
  {
    name: "a bare string",
    pattern: { source: "aws.ec2" },
    message: 'source: must be an object or an array of values to match, got the string "aws.ec2" (write ["aws.ec2"])',
  },
  { name: "a bare number", pattern: { detail: { int: 42 } }, message: "detail.int: must be an object or an array" },
  { name: "an empty object", pattern: { detail: {} }, message: "detail: must not be an empty object" },
  // eb-event-patterns-arrays.html: the array holds one or more values
  { name: "an empty array", pattern: { resources: [] }, message: "resources: must not be an empty array" },
  {
    name: "a nested array",
    pattern: { source: [["aws.ec2"]] },
    message: "source[0]: a value to match must be a string",
  },
  // eb-create-pattern-operators.html: operator names are exact and case-sensitive, one per object
  { name: "unknown operator", pattern: { a: [{ EXISTS: true }] }, message: 'a[0].EXISTS: unknown operator "EXISTS"' },
  {
    name: "two operators",
    pattern: { a: [{ prefix: "a", suffix: "b" }] },
    message: "a[0]: an operator object holds exactly one operator",
  },
  { name: "no operator", pattern: { a: [{}] }, message: "a[0]: an operator object needs one operator" },
  // eb-create-pattern-operators.html, "Prefix matching" / "Suffix matching": a string, or equals-ignore-case
  { name: "numeric prefix", pattern: { time: [{ prefix: 123 }] }, message: "time[0].prefix: must be a string or" },
  { name: "prefix list", pattern: { time: [{ prefix: ["2022"] }] }, message: "time[0].prefix: must be a string or" },
  { name: "numeric suffix", pattern: { f: [{ suffix: 123 }] }, message: "f[0].suffix: must be a string or" },
  {
    name: "prefix with another operator",
    pattern: { f: [{ prefix: { wildcard: "a*" } }] },
    message: "f[0].prefix: the only operator allowed inside prefix is equals-ignore-case",
  },
  // eb-create-pattern-operators.html, "Equals-ignore-case matching": a string
  {
    name: "equals-ignore-case list",
    pattern: { "detail-type": [{ "equals-ignore-case": ["x"] }] },
    message: "detail-type[0].equals-ignore-case: must be a string, got an array",
  },
  // eb-create-pattern-operators.html, "Exists matching": true or false
  { name: "exists string", pattern: { a: [{ exists: "true" }] }, message: "a[0].exists: must be true or false" },
  // eb-create-pattern-operators.html, "Numeric matching": an array of operator, number[, operator, number]
  {
    name: "numeric not an array",
    pattern: { detail: { amount: [{ numeric: 10 }] } },
    message: "detail.amount[0].numeric: must be an array",
  },
  {
    name: "numeric unknown operator",
    pattern: { detail: { amount: [{ numeric: ["!=", 10] }] } },
    message: 'detail.amount[0].numeric[0]: unknown comparison operator "!="',
  },
  {
    name: "numeric string operand",
    pattern: { detail: { amount: [{ numeric: [">", "10"] }] } },
    message: 'detail.amount[0].numeric[1]: must be a number, got the string "10"',
  },
  {
    name: "numeric two lower bounds",
    pattern: { detail: { amount: [{ numeric: [">", 0, ">", 0] }] } },
    message: 'detail.amount[0].numeric[2]: an upper bound must be "<" or "<="',
  },
  {
    name: "numeric bound without number",
    pattern: { detail: { amount: [{ numeric: [">", 0, "<"] }] } },
    message: 'detail.amount[0].numeric: "<" must be followed by a number',
  },
  {
    name: "numeric empty range",
    pattern: { detail: { amount: [{ numeric: [">", 10, "<", 5] }] } },
    message: "detail.amount[0].numeric: the range is empty",
  },
  {
    name: "numeric beyond 5e9",
    pattern: { detail: { amount: [{ numeric: ["<", 6e9] }] } },
    message: "detail.amount[0].numeric[1]: 6000000000 is outside the range EventBridge compares",
  },
  {
    name: "numeric with seven decimals",
    pattern: { detail: { amount: [{ numeric: ["=", 1.0000001] }] } },
    message: "detail.amount[0].numeric[1]: 1.0000001 has more than six digits after the decimal point",
  },
  {
    name: "numeric = with a range",
    pattern: { detail: { amount: [{ numeric: ["=", 1, "<", 5] }] } },
    message: 'detail.amount[0].numeric: "=" must be followed by exactly one number',
  },
  // eb-create-pattern-operators.html, "Anything-but matching": strings or numbers, never null or mixed
  {
    name: "anything-but null",
    pattern: { detail: { state: [{ "anything-but": null }] } },
    message: "detail.state[0].anything-but: must be a string, a number, a list",
  },
  {
    name: "anything-but list with null",
    pattern: { detail: { state: [{ "anything-but": ["stopped", null] }] } },
    message: "detail.state[0].anything-but[1]: must be a string or a number, got null",
  },
  {
    name: "anything-but mixed list",
    pattern: { detail: { state: [{ "anything-but": ["stopped", 1] }] } },
    message: "detail.state[0].anything-but: must list only strings or only numbers",
  },
  {
    name: "anything-but empty prefix",
    pattern: { detail: { f: [{ "anything-but": { prefix: "" } }] } },
    message: "detail.f[0].anything-but.prefix: an anything-but prefix must not be empty",
  },
  {
    name: "anything-but prefix ignoring case",
    pattern: { detail: { f: [{ "anything-but": { prefix: { "equals-ignore-case": "file" } } }] } },
    message: "detail.f[0].anything-but.prefix: anything-but prefix takes a string or a list of strings",
  },
  {
    name: "anything-but numeric suffix",
    pattern: { detail: { f: [{ "anything-but": { suffix: [".txt", 123] } }] } },
    message: "detail.f[0].anything-but.suffix[1]: must be a string, got number 123",
  },
  {
    name: "anything-but ignoring case of a number",
    pattern: { detail: { s: [{ "anything-but": { "equals-ignore-case": 123 } }] } },
    message: "detail.s[0].anything-but.equals-ignore-case: must be a string, got number 123",
  },
  {
    name: "anything-but numeric",
    pattern: { detail: { s: [{ "anything-but": { numeric: [">", 1] } }] } },
    message:
      'detail.s[0].anything-but.numeric: anything-but supports prefix, suffix, equals-ignore-case and wildcard, not "numeric"',
  },
  // eb-create-pattern-operators.html, "Wildcard matching": no consecutive wildcards; only \* and \\ escapes
  {
    name: "consecutive wildcards",
    pattern: { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:**:event-bus/*" }] },
    message: "EventBusArn[0].wildcard: consecutive wildcard characters at position 25 are not allowed",
  },
  {
    name: "bad escape",
    pattern: { f: [{ wildcard: "a\\b*" }] },
    message: "f[0].wildcard: invalid escape at position 1",
  },
  {
    name: "wildcard list",
    pattern: { f: [{ wildcard: ["a*"] }] },
    message: "f[0].wildcard: must be a string, got an array",
  },
  {
    name: "anything-but bad wildcard",
    pattern: { f: [{ "anything-but": { wildcard: ["*/lib/*", "a**"] } }] },
    message: "f[0].anything-but.wildcard[1]: consecutive wildcard characters",
  },
  // eb-create-pattern-operators.html, "Wildcard matching": EventBridge refuses rules that are too complex
  {
    name: "too complex wildcard",
    pattern: { EventBusArn: [{ wildcard: "*:*:*:*:*:event-bus/*" }] },
    message: "EventBusArn[0].wildcard: rule is too complex",
  },
  // eb-create-pattern-operators.html, "IP address matching": a CIDR block
  {
    name: "cidr without mask",
    pattern: { detail: { ip: [{ cidr: "bad-filter" }] } },
    message: 'detail.ip[0].cidr: malformed CIDR "bad-filter"',
  },
  {
    name: "cidr bad address",
    pattern: { detail: { ip: [{ cidr: "xxxx:db8:1234:1a00::/64" }] } },
    message:
      'detail.ip[0].cidr: malformed CIDR "xxxx:db8:1234:1a00::/64": "xxxx:db8:1234:1a00::" is not an IPv4 or IPv6 address',
  },
  {
    name: "cidr bad mask",
    pattern: { detail: { ip: [{ cidr: "10.0.0.0/x" }] } },
    message: 'detail.ip[0].cidr: malformed CIDR "10.0.0.0/x": the mask bits must be an integer',
  },
  {
    name: "cidr list",
    pattern: { detail: { ip: [{ cidr: ["10.0.0.0/8"] }] } },
    message: "detail.ip[0].cidr: must be a string",
  },
  // eb-create-pattern-operators.html, "Complex example with $or matching": $or holds two or more objects
  {
    name: "$or with one object",
    pattern: { $or: [{ a: ["x"] }] },
    message: "$or: must be an array of at least two objects",
  },
  {
    name: "$or not an array",
    pattern: { $or: { a: ["x"] } },
    message: "$or: must be an array of at least two objects",
  },
  {
    name: "$or with a string",
    pattern: { detail: { $or: [{ a: ["x"] }, "b"] } },
    message: 'detail.$or[1]: each $or alternative must be an object, got the string "b"',
  },
  {
    name: "operator name as a field inside $or",
    pattern: { $or: [{ a: ["x"] }, { numeric: [1] }] },
    message: '$or[1].numeric: "numeric" is an operator name, so it cannot be a field name inside $or',
  },
  {
    name: "problem deep inside $or",
    pattern: { detail: { $or: [{ a: ["x"] }, { b: [{ numeric: ["<"] }] }] } },
    message: "detail.$or[1].b[0].numeric: ",
  },
  // Not an EventBridge rule: Nudge's own limit on the branches that parallel $or multiply into
  {
    name: "too many $or combinations",
    pattern: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, { $or: [{ a: ["1"] }, { b: ["2"] }] }])),
    message: "k10: the $or alternatives combine into more than 1024 branches",
  },
  // Keys that are not plain identifiers are quoted in the path
  {
    name: "quoted key",
    pattern: { detail: { "state.status": "x" } },
    message: 'detail["state.status"]: must be an object',
  },
];

describe("validating EventBridge patterns", () => {
  it.each(invalid)("rejects $name", ({ pattern, message }) => {
    // Prepare
    let error: unknown;

    // Act
    try {
      validatePattern(pattern);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(InvalidPatternError);
    expect(error).toBeInstanceOf(NudgeError);
    expect((error as Error).message.startsWith(message), (error as Error).message).toBe(true);
  });

  it.each(invalid)("refuses to compile $name", ({ pattern }) => {
    // Prepare
    const compile = () => compilePattern(pattern);

    // Act
    const attempt = expect(compile);

    // Assess
    attempt.toThrow(InvalidPatternError);
  });

  const valid: { name: string; pattern: EventPattern }[] = [
    // eb-create-pattern-operators.html, "Wildcard matching": one wildcard per segment is fine, even with repeats
    { name: "simple wildcard", pattern: { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] } },
    { name: "repeating wildcard", pattern: { FileName: [{ wildcard: "/Users/*/dir/dir/dir/dir/dir/doc.txt" }] } },
    { name: "escaped wildcard", pattern: { v: [{ wildcard: "\\**\\\\" }] } },
    { name: "empty wildcard", pattern: { v: [{ wildcard: "" }] } },
    // eb-create-pattern-operators.html, "Anything-but matching", with an empty wildcard
    { name: "anything-but empty wildcard", pattern: { v: [{ "anything-but": { wildcard: "" } }] } },
    // eb-event-patterns-null-values.html: null and "" are values to match
    { name: "null and empty string", pattern: { detail: { a: [null, ""] } } },
    // eb-create-pattern-operators.html, "Prefix matching": an empty prefix matches every string
    { name: "empty prefix", pattern: { source: [{ prefix: "" }] } },
    // eb-create-pattern-operators.html, "Exists matching": only the first operator counts for EventBridge; all are valid
    { name: "several operators in a list", pattern: { k: [{ exists: true }, { prefix: "IGNORED" }, { suffix: "x" }] } },
    // eb-create-pattern-operators.html, "Numeric matching": the documented bounds are inclusive
    { name: "numeric at 5e9", pattern: { n: [{ numeric: [">=", -5e9, "<=", 5e9] }] } },
    // eb-create-pattern-operators.html, "Complex example with $or matching": nested $or
    { name: "nested $or", pattern: { $or: [{ a: ["x"] }, { b: ["y"], $or: [{ c: [1] }, { d: [2] }] }] } },
    // A field name that is an operator name is fine outside $or
    { name: "operator name outside $or", pattern: { detail: { prefix: ["x"] } } },
  ];

  it.each(valid)("accepts $name", ({ pattern }) => {
    // Prepare
    const input: unknown = pattern;

    // Act
    validatePattern(input);

    // Assess: the assertion narrowed the input to an EventPattern
    expect(Object.keys(input)).toEqual(Object.keys(pattern));
  });
});

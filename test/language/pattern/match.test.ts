import { describe, expect, it } from "vitest";
import { compilePattern, matchesPattern } from "../../../functions/language/pattern/index.ts";
import { type Case, ec2Event, event } from "./fixtures.ts";

const cases: Case[] = [
  // eb-event-patterns.html, the instance-termination pattern on the EC2 event
  {
    name: "exact values on several fields (AND)",
    pattern: {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["terminated"] },
    },
    document: ec2Event,
    matches: true,
  },
  {
    name: "one field differs",
    pattern: { source: ["aws.ec2"], detail: { state: ["running"] } },
    document: ec2Event,
    matches: false,
  },
  // eb-create-pattern.html, matching event values: "source": ["aws.ec2", "aws.fargate"] (values in an array are OR)
  { name: "any value of the list", pattern: { source: ["aws.ec2", "aws.fargate"] }, document: ec2Event, matches: true },
  { name: "none of the list", pattern: { source: ["aws.s3", "aws.fargate"] }, document: ec2Event, matches: false },
  // eb-event-patterns.html, "Considerations when creating event patterns": a field named in the pattern must be in the event
  { name: "missing field", pattern: { detail: { "no-such-field": ["x"] } }, document: ec2Event, matches: false },
  // eb-event-patterns.html, "Considerations when creating event patterns": strings match character by character, case-sensitive
  { name: "strings are case-sensitive", pattern: { source: ["AWS.EC2"] }, document: ec2Event, matches: false },
  // eb-event-patterns.html, "Considerations when creating event patterns": field names must be in the event as written
  { name: "keys are case-sensitive", pattern: { Source: ["aws.ec2"] }, document: ec2Event, matches: false },
  // eb-event-patterns.html, "Considerations when creating event patterns" says 300, 300.0 and 3.0e2 differ; EventBridge's
  // TestEventPattern answers that they are equal, and the real API wins
  {
    name: "300 equals 300.0",
    pattern: { detail: { n: [300] } },
    document: event(JSON.parse('{"n": 300.0}')),
    matches: true,
  },
  {
    name: "300 equals 3.0e2",
    pattern: { detail: { n: [300] } },
    document: event(JSON.parse('{"n": 3.0e2}')),
    matches: true,
  },
  {
    name: "a number is not its string",
    pattern: { detail: { n: [300] } },
    document: event({ n: "300" }),
    matches: false,
  },
  {
    name: "a string is not a number",
    pattern: { detail: { n: ["300"] } },
    document: event({ n: 300 }),
    matches: false,
  },
  // eb-event-patterns.html, "Considerations when creating event patterns": values are matched as JSON, by type
  { name: "boolean", pattern: { detail: { ok: [false] } }, document: event({ ok: false }), matches: true },
  {
    name: "boolean is not its string",
    pattern: { detail: { ok: [false] } },
    document: event({ ok: "false" }),
    matches: false,
  },
  // eb-event-patterns-null-values.html, "Matching null values and empty strings"
  {
    name: "null value",
    pattern: { detail: { responseElements: [null] } },
    document: event({ responseElements: null }),
    matches: true,
  },
  {
    name: 'null is not "null"',
    pattern: { detail: { responseElements: [null] } },
    document: event({ responseElements: "null" }),
    matches: false,
  },
  {
    name: "null is not absent",
    pattern: { detail: { responseElements: [null] } },
    document: event({}),
    matches: false,
  },
  {
    name: "empty string",
    pattern: { detail: { eventVersion: [""] } },
    document: event({ eventVersion: "" }),
    matches: true,
  },
  {
    name: "empty string is not null",
    pattern: { detail: { eventVersion: [""] } },
    document: event({ eventVersion: null }),
    matches: false,
  },
  // eb-event-patterns-arrays.html: an event array matches when it intersects the pattern's list
  {
    name: "event array intersects the list",
    pattern: {
      resources: [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
      ],
    },
    document: event(
      {},
      {
        resources: [
          "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x",
          "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ],
      },
    ),
    matches: true,
  },
  {
    name: "event array does not intersect",
    pattern: { resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"] },
    document: event({}, { resources: ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x"] }),
    matches: false,
  },
  { name: "empty event array", pattern: { resources: [null] }, document: event({}, { resources: [] }), matches: false },
  // eb-event-patterns-arrays.html; objects inside event arrays are matched as the field's value (event-ruler README,
  // "JSON Array Matching")
  {
    name: "object inside an event array",
    pattern: { detail: { automations: { id: [{ exists: true }] } } },
    document: event({ automations: [{ key1: "value1" }, { id: "match-does-exist" }] }),
    matches: true,
  },
  // eb-create-pattern-operators.html, "Complex example with multiple matching"
  {
    name: "complex example",
    pattern: {
      time: [{ prefix: "2017-12-22" }],
      detail: {
        state: [{ "anything-but": "initializing" }],
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ "anything-but": [100, 200, 300] }],
      },
    },
    document: event({ state: "processing", "c-count": 3, "d-count": 9, "x-limit": 999 }),
    matches: true,
  },
  // eb-create-pattern-operators.html, "Complex example with $or matching"
  {
    name: "$or, one alternative holds",
    pattern: {
      detail: {
        $or: [
          { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
          { "d-count": [{ numeric: ["<", 10] }] },
          { "x-limit": [{ numeric: ["=", 301.8] }] },
        ],
      },
    },
    document: event({ "c-count": 0, "d-count": 0, "x-limit": 901.8 }),
    matches: true,
  },
  {
    name: "$or, none holds",
    pattern: {
      detail: {
        $or: [
          { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
          { "d-count": [{ numeric: ["<", 10] }] },
          { "x-limit": [{ numeric: ["=", 301.8] }] },
        ],
      },
    },
    document: event({ "c-count": 0, "d-count": 10, "x-limit": 901.8 }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Complex example with $or matching": $or beside other fields is AND-ed with them
  {
    name: "$or with a sibling field",
    pattern: { source: ["aws.ec2"], $or: [{ region: ["eu-west-1"] }, { account: ["111122223333"] }] },
    document: ec2Event,
    matches: true,
  },
  {
    name: "$or with a failing sibling",
    pattern: { source: ["aws.s3"], $or: [{ region: ["us-west-1"] }, { account: ["1"] }] },
    document: ec2Event,
    matches: false,
  },
  // eb-create-pattern-operators.html, "Exists matching" and "Anything-but matching" in one list: absent, or not "roses"
  {
    name: "anything-but or absent, absent",
    pattern: { detail: { S: [{ "anything-but": ["roses"] }, { exists: false }] } },
    document: event({ N: "789" }),
    matches: true,
  },
  {
    name: "anything-but or absent, excluded",
    pattern: { detail: { S: [{ "anything-but": ["roses"] }, { exists: false }] } },
    document: event({ S: "roses" }),
    matches: false,
  },
];

describe("matching EventBridge patterns", () => {
  it.each(cases)("$name", ({ pattern, document, matches }) => {
    // Prepare
    const compiled = compilePattern(pattern);

    // Act
    const result = compiled.matches(document);

    // Assess
    expect(result).toBe(matches);
  });

  it("reads keys joined with dots the same way in pattern and document", () => {
    // Prepare: event-ruler README, "Compiled rules and JSON keys with dots"; EventBridge's TestEventPattern agrees
    const nested = { detail: { state: { status: ["running"] } } };
    const dotted = { detail: { "state.status": ["running"] } };

    // Act
    const results = [
      matchesPattern(nested, { detail: { "state.status": "running" } }),
      matchesPattern(dotted, { detail: { state: { status: "running" } } }),
      matchesPattern(nested, { detail: { "state.status": { status: "running" } } }),
    ];

    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it("does not combine values from different elements of one array", () => {
    // Prepare: event-ruler README, "JSON Array Matching": fields matched inside an array come from one element
    const pattern = compilePattern({ detail: { employees: { firstName: ["Anna"], lastName: ["Jones"] } } });
    const apart = {
      detail: {
        employees: [
          { firstName: "Anna", lastName: "Smith" },
          { firstName: "Peter", lastName: "Jones" },
        ],
      },
    };
    const together = {
      detail: {
        employees: [
          { firstName: "John", lastName: "Doe" },
          { firstName: "Anna", lastName: "Jones" },
        ],
      },
    };

    // Act
    const results = [pattern.matches(apart), pattern.matches(together)];

    // Assess
    expect(results).toEqual([false, true]);
  });

  it("matches any JSON document, such as a run's context", () => {
    // Prepare: the pattern language applies to any JSON object, not only to events
    const pattern = compilePattern({
      profile: { country: ["FR", "BE"], orders: [{ numeric: [">=", 3] }] },
      trigger: { source: [{ prefix: "shop." }] },
    });
    const context = { profile: { country: "FR", orders: 4 }, trigger: { source: "shop.web" } };

    // Act
    const results = [pattern.matches(context), pattern.matches({ ...context, profile: { country: "DE", orders: 4 } })];

    // Assess
    expect(results).toEqual([true, false]);
  });

  it("never matches a document that is not a JSON object", () => {
    // Prepare
    const pattern = compilePattern({ state: [{ exists: false }] });

    // Act
    const results = [null, "text", 42, [{ state: "x" }], undefined].map((doc) => pattern.matches(doc));

    // Assess
    expect(results).toEqual([false, false, false, false, false]);
  });

  it("keeps the validated pattern and matches repeatedly without re-parsing", () => {
    // Prepare
    const source = { "detail-type": ["order.placed"], detail: { amount: [{ numeric: [">", 100] }] } };
    const compiled = compilePattern(source);
    const placed = { "detail-type": "order.placed", detail: { amount: 150 } };

    // Act
    const results = [
      compiled.matches(placed),
      compiled.matches({ ...placed, detail: { amount: 50 } }),
      compiled.matches(placed),
    ];

    // Assess
    expect(compiled.pattern).toBe(source);
    expect(results).toEqual([true, false, true]);
  });
});

describe("a top-level field (read without a walk)", () => {
  const cases: Case[] = [
    {
      name: "a plain value that matches",
      pattern: { "detail-type": ["a", "b"] },
      document: { "detail-type": "b" },
      matches: true,
    },
    {
      name: "a plain value that does not",
      pattern: { "detail-type": ["a"] },
      document: { "detail-type": "c" },
      matches: false,
    },
    { name: "absent, not asked to be", pattern: { source: ["x"] }, document: {}, matches: false },
    { name: "absent, asked to be", pattern: { source: [{ exists: false }] }, document: {}, matches: true },
    {
      name: "present, asked to be absent",
      pattern: { source: [{ exists: false }] },
      document: { source: "x" },
      matches: false,
    },
    { name: "null matched by null", pattern: { source: [null] }, document: { source: null }, matches: true },
    { name: "a number is not its string", pattern: { n: ["5"] }, document: { n: 5 }, matches: false },
    { name: "inherited, not its own: absent", pattern: { toString: [{ exists: false }] }, document: {}, matches: true },
    {
      name: "an array's values, one matching",
      pattern: { resources: ["r2"] },
      document: { resources: ["r1", "r2"] },
      matches: true,
    },
    {
      name: "an object where a value is wanted",
      pattern: { detail: ["x"] },
      document: { detail: { a: "x" } },
      matches: false,
    },
  ];

  it.each(cases)("$name", ({ pattern, document, matches }) => {
    // Act
    const result = matchesPattern(pattern, document);

    // Assess
    expect(result).toBe(matches);
  });
});

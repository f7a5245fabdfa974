import { describe, expect, it } from "vitest";
import { compilePattern } from "../../../functions/language/pattern/index.ts";
import { type Case, ec2Event, event } from "./fixtures.ts";

/** Every comparison operator of eb-create-pattern-operators.html, matching and not matching. */
const cases: Case[] = [
  // eb-create-pattern-operators.html, "Prefix matching"
  { name: "prefix", pattern: { time: [{ prefix: "2017-12-22" }] }, document: ec2Event, matches: true },
  { name: "prefix, no match", pattern: { time: [{ prefix: "2017-10-02" }] }, document: ec2Event, matches: false },
  { name: "empty prefix matches any string", pattern: { source: [{ prefix: "" }] }, document: ec2Event, matches: true },
  {
    name: "prefix never matches a number",
    pattern: { detail: { n: [{ prefix: "1" }] } },
    document: event({ n: 12 }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Prefix matching while ignoring case"
  {
    name: "prefix ignoring case",
    pattern: { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    document: event({ service: "eventbridge" }),
    matches: true,
  },
  {
    name: "prefix ignoring case, no match",
    pattern: { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    document: event({ service: "sns" }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Suffix matching"
  {
    name: "suffix",
    pattern: { detail: { FileName: [{ suffix: ".png" }] } },
    document: event({ FileName: "image.png" }),
    matches: true,
  },
  {
    name: "suffix is case-sensitive",
    pattern: { detail: { FileName: [{ suffix: ".PNG" }] } },
    document: event({ FileName: "image.png" }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Suffix matching while ignoring case"
  {
    name: "suffix ignoring case",
    pattern: { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } },
    document: event({ FileName: "image.PNG" }),
    matches: true,
  },
  {
    name: "suffix ignoring case, no match",
    pattern: { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } },
    document: event({ FileName: "image.jpg" }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Equals-ignore-case matching"
  {
    name: "equals-ignore-case",
    pattern: { "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] },
    document: ec2Event,
    matches: true,
  },
  {
    name: "equals-ignore-case, no match",
    pattern: { "detail-type": [{ "equals-ignore-case": "ec2 instance launch" }] },
    document: ec2Event,
    matches: false,
  },
  // eb-create-pattern-operators.html, "Anything-but matching": a string, then a number
  {
    name: "anything-but string",
    pattern: { detail: { state: [{ "anything-but": "initializing" }] } },
    document: event({ state: "pending" }),
    matches: true,
  },
  {
    name: "anything-but string, excluded",
    pattern: { detail: { state: [{ "anything-but": "initializing" }] } },
    document: event({ state: "initializing" }),
    matches: false,
  },
  {
    name: "anything-but number",
    pattern: { detail: { "x-limit": [{ "anything-but": 123 }] } },
    document: event({ "x-limit": 789 }),
    matches: true,
  },
  {
    name: "anything-but number, excluded",
    pattern: { detail: { "x-limit": [{ "anything-but": 123 }] } },
    document: event({ "x-limit": 123 }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Anything-but matching": lists of strings and of numbers
  {
    name: "anything-but string list",
    pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } },
    document: event({ state: "pending" }),
    matches: true,
  },
  {
    name: "anything-but string list, excluded",
    pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } },
    document: event({ state: "stopped" }),
    matches: false,
  },
  {
    name: "anything-but number list, excluded",
    pattern: { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } },
    document: event({ "x-limit": 300.0 }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Anything-but matching"; as EventBridge's TestEventPattern answers, it never
  // matches a missing field but does match null and values of another type
  {
    name: "anything-but, field missing",
    pattern: { detail: { state: [{ "anything-but": "initializing" }] } },
    document: event({}),
    matches: false,
  },
  {
    name: "anything-but, field null",
    pattern: { detail: { state: [{ "anything-but": "initializing" }] } },
    document: event({ state: null }),
    matches: true,
  },
  {
    name: "anything-but string, number value",
    pattern: { detail: { n: [{ "anything-but": "101" }] } },
    document: event({ n: 101 }),
    matches: true,
  },
  // eb-create-pattern-operators.html, "Anything-but matching": with prefix (the "Region is not in the US" example)
  {
    name: "anything-but prefix",
    pattern: { region: [{ "anything-but": { prefix: "us-" } }] },
    document: { ...ec2Event, region: "eu-west-1" },
    matches: true,
  },
  {
    name: "anything-but prefix, excluded",
    pattern: { region: [{ "anything-but": { prefix: "us-" } }] },
    document: ec2Event,
    matches: false,
  },
  {
    name: "anything-but prefix list",
    pattern: { detail: { state: [{ "anything-but": { prefix: ["init", "post"] } }] } },
    document: event({ state: "post-init" }),
    matches: false,
  },
  {
    name: "anything-but prefix, number value",
    pattern: { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    document: event({ state: 12 }),
    matches: true,
  },
  // eb-create-pattern-operators.html, "Anything-but matching": with suffix
  {
    name: "anything-but suffix",
    pattern: { detail: { FileName: [{ "anything-but": { suffix: ".txt" } }] } },
    document: event({ FileName: "file.txt.bak" }),
    matches: true,
  },
  {
    name: "anything-but suffix, excluded",
    pattern: { detail: { FileName: [{ "anything-but": { suffix: ".txt" } }] } },
    document: event({ FileName: "file.txt" }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Anything-but matching": ignoring case
  {
    name: "anything-but ignoring case",
    pattern: { detail: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] } },
    document: event({ state: "pending" }),
    matches: true,
  },
  {
    name: "anything-but ignoring case, excluded",
    pattern: { detail: { state: [{ "anything-but": { "equals-ignore-case": ["initializing", "stopped"] } }] } },
    document: event({ state: "Stopped" }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Anything-but matching": with a wildcard ("FilePath": "*/lib/*")
  {
    name: "anything-but wildcard",
    pattern: { detail: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] } },
    document: event({ FilePath: "/usr/bin/node" }),
    matches: true,
  },
  {
    name: "anything-but wildcard, excluded",
    pattern: { detail: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] } },
    document: event({ FilePath: "/usr/lib/node" }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Numeric matching"
  {
    name: "numeric range",
    pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    document: event({ "c-count": 5 }),
    matches: true,
  },
  {
    name: "numeric range, above",
    pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    document: event({ "c-count": 5.5 }),
    matches: false,
  },
  {
    name: "numeric open bound",
    pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    document: event({ "c-count": 0 }),
    matches: false,
  },
  {
    name: "numeric <",
    pattern: { detail: { "d-count": [{ numeric: ["<", 10] }] } },
    document: event({ "d-count": 9.999 }),
    matches: true,
  },
  {
    name: "numeric =",
    pattern: { detail: { "x-limit": [{ numeric: ["=", 3.018e2] }] } },
    document: event({ "x-limit": 301.8 }),
    matches: true,
  },
  {
    name: "numeric >=",
    pattern: { detail: { n: [{ numeric: [">=", 200, "<", 500] }] } },
    document: event({ n: 200 }),
    matches: true,
  },
  {
    name: "numeric ignores strings",
    pattern: { detail: { n: [{ numeric: [">", 100] }] } },
    document: event({ n: "300" }),
    matches: false,
  },
  {
    name: "numeric ignores null",
    pattern: { detail: { n: [{ numeric: [">", 100] }] } },
    document: event({ n: null }),
    matches: false,
  },
  {
    name: "numeric beyond 5e9",
    pattern: { detail: { n: [{ numeric: [">", 100] }] } },
    document: event({ n: 6e9 }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "IP address matching"
  {
    name: "cidr IPv4",
    pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    document: event({ sourceIPAddress: "10.0.0.255" }),
    matches: true,
  },
  {
    name: "cidr IPv4, outside",
    pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    document: event({ sourceIPAddress: "10.0.1.0" }),
    matches: false,
  },
  {
    name: "cidr, not an address",
    pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    document: event({ sourceIPAddress: "10.0.0.256" }),
    matches: false,
  },
  {
    name: "cidr IPv6",
    pattern: { detail: { sourceIPAddress: [{ cidr: "2001:db8:1234:1a00::/64" }] } },
    document: event({ sourceIPAddress: "2001:0db8:1234:1a00:0000:0000:0000:0001" }),
    matches: true,
  },
  {
    name: "cidr IPv6, outside",
    pattern: { detail: { sourceIPAddress: [{ cidr: "2001:db8:1234:1a00::/64" }] } },
    document: event({ sourceIPAddress: "2001:db8:1234:1a01::" }),
    matches: false,
  },
  // event-ruler (EventBridge's engine) reads an exact value that is an IP address as that address
  {
    name: "exact IP in any spelling",
    pattern: { detail: { ip: ["2001:db8::1"] } },
    document: event({ ip: "2001:0db8:0:0:0:0:0:0001" }),
    matches: true,
  },
  // eb-create-pattern-operators.html, "Exists matching"
  { name: "exists true", pattern: { detail: { state: [{ exists: true }] } }, document: ec2Event, matches: true },
  {
    name: "exists true, missing",
    pattern: { detail: { state: [{ exists: true }] } },
    document: event({ "c-count": 1 }),
    matches: false,
  },
  {
    name: "exists false",
    pattern: { detail: { state: [{ exists: false }] } },
    document: event({ "c-count": 1 }),
    matches: true,
  },
  {
    name: "exists false, present",
    pattern: { detail: { state: [{ exists: false }] } },
    document: ec2Event,
    matches: false,
  },
  // eb-create-pattern-operators.html, "Exists matching": it works on leaf nodes only; null counts as a value, an object
  // or an empty array does not (as EventBridge's TestEventPattern answers)
  {
    name: "exists true on null",
    pattern: { detail: { state: [{ exists: true }] } },
    document: event({ state: null }),
    matches: true,
  },
  {
    name: "exists true on an object",
    pattern: { detail: { state: [{ exists: true }] } },
    document: event({ state: { code: 16 } }),
    matches: false,
  },
  {
    name: "exists false on an object",
    pattern: { detail: { state: [{ exists: false }] } },
    document: event({ state: { code: 16 } }),
    matches: true,
  },
  {
    name: "exists true on an empty array",
    pattern: { resources: [{ exists: true }] },
    document: event({}, { resources: [] }),
    matches: false,
  },
  // eb-create-pattern-operators.html, "Wildcard matching"
  {
    name: "wildcard",
    pattern: { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] },
    document: event({}, { EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus" }),
    matches: true,
  },
  {
    name: "wildcard, no match",
    pattern: { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] },
    document: event({}, { EventBusArn: "arn:aws:events:eu-west-1:123456789012:event-bus/myEventBus" }),
    matches: false,
  },
  {
    name: "wildcard spans slashes",
    pattern: { detail: { FileName: [{ wildcard: "/Users/*/doc.txt" }] } },
    document: event({ FileName: "/Users/me/dir/dir/doc.txt" }),
    matches: true,
  },
  {
    name: "escaped asterisk",
    pattern: { detail: { v: [{ wildcard: "a\\*b" }] } },
    document: event({ v: "a*b" }),
    matches: true,
  },
  {
    name: "escaped asterisk is literal",
    pattern: { detail: { v: [{ wildcard: "a\\*b" }] } },
    document: event({ v: "axb" }),
    matches: false,
  },
  {
    name: 'empty wildcard matches only ""',
    pattern: { detail: { v: [{ wildcard: "" }] } },
    document: event({ v: "x" }),
    matches: false,
  },
];

describe("EventBridge comparison operators", () => {
  it.each(cases)("$name", ({ pattern, document, matches }) => {
    // Prepare
    const compiled = compilePattern(pattern);

    // Act
    const result = compiled.matches(document);

    // Assess
    expect(result).toBe(matches);
  });
});

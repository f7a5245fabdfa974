import * as z from "zod";
import { DETAIL_TYPES } from "../../events/catalog.ts";
import { duration } from "../language/schema.ts";
import { type JourneyProblem, parseJsonText, schemaProblems } from "./problems.ts";

/**
 * A journey test file, `journeys/tests/<name>.json`: what an operations team expects of a journey, in its own
 * terms. Each case says "given these events (times relative to the start, users by name), expect these
 * messages, coupons and exits, at about these times, and none of these". `nudge test` runs each case on the
 * virtual clock with every journey of the folder (so that caps, quiet hours and other journeys play as in
 * production) and compares what the journey did (functions/simulator/journey-test.ts).
 */

const quote = (value: unknown): string => JSON.stringify(value);

export const JOURNEY_TESTS_DIR = "tests";

const userName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    error: (issue) =>
      `expected a user name such as "ana" (letters, digits, "_", "." and "-"), got ${quote(issue.input)}`,
  })
  .describe("A user, by a name of the test's own: it becomes the user's id (detail.userId).");

const offset = (what: string) => duration(`${what}, after the test's start`);

/** The line types a test can expect: the simulator's output contract (docs/simulator.md). */
export const EXPECTABLE_TYPES = [
  "journey.entered",
  "holdout",
  "journey.exited",
  "coupon.issued",
  "coupon.withheld",
  "message.sent",
  "message.suppressed",
  "message.deferred",
  "event.emitted",
  "goal.converted",
  "campaign.started",
  "campaign.finished",
] as const;

export const givenEventSchema = z
  .strictObject({
    at: offset("When the shop publishes it"),
    type: z
      .enum(DETAIL_TYPES)
      .describe("The event's detail-type, from the event catalog (docs/events-and-profiles.md)."),
    user: userName
      .optional()
      .describe("Whose event it is: sets detail.userId. None for events of no user (a promotion)."),
    id: z
      .string()
      .min(1)
      .optional()
      .describe("The event's id; give two events the same id to test a redelivery. Default: one per event."),
    detail: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'The event\'s detail, as the catalog defines it, without userId. A value "$coupon" is the id of the last coupon issued to the user before the event.',
      ),
  })
  .describe("An event the shop publishes during the test.");

export const expectationSchema = z
  .strictObject({
    type: z.enum(EXPECTABLE_TYPES).describe("What happens: a line type of the simulator's output (docs/simulator.md)."),
    user: userName.optional().describe("To whom; any user when absent."),
    journey: z.string().optional().describe("Which journey's line; default: the file's journey."),
    at: offset("When it happens").optional().describe("When, after the start; any time when absent."),
    within: duration("How far from `at` it may be").optional().describe('How far from `at` it may be; default "PT1M".'),
    channel: z.string().optional(),
    template: z.string().optional(),
    reason: z.string().optional().describe("An exit's, a suppression's or a deferral's reason."),
    rule: z.string().optional().describe("The policy rule that suppressed, deferred or withheld it."),
    event: z.string().optional().describe("The detail-type of an exit's event, a goal's event or an emitted event."),
    amountOff: z.number().optional().describe("A coupon's amount off."),
    contains: z.string().optional().describe("Text the message must contain (in its rendered text or title)."),
  })
  .describe("A line the journey must produce (`expect`), or must not (`never`): the fields given must all match.");

export const testCaseSchema = z
  .strictObject({
    name: z.string().min(1).describe("What the case shows, in a sentence."),
    given: z.array(givenEventSchema).describe("The shop's events, in any order."),
    expect: z.array(expectationSchema).default([]).describe("Lines the journey must produce, each matched once."),
    never: z.array(expectationSchema).default([]).describe("Lines the journey must not produce."),
    until: offset("How long the case runs")
      .optional()
      .describe('How long the case runs after the start; default "P60D" after the last event.'),
  })
  .describe("One case: given events, expected and forbidden lines.");

export const journeyTestFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    journey: z.string().min(1).describe("The journey under test: expectations are its lines unless they name another."),
    description: z.string().default("").describe("What the journey promises, for the people who edit it."),
    start: z.iso
      .datetime({ offset: true })
      .default("2026-11-02T00:00:00Z")
      .describe("The instant offsets count from (ISO-8601 with an offset); a Monday at midnight UTC by default."),
    cases: z.array(testCaseSchema).min(1),
  })
  .describe("A Nudge journey test: given events, the lines expected of a journey on the virtual clock.");

export type JourneyTestFile = z.output<typeof journeyTestFileSchema>;
export type TestCase = z.output<typeof testCaseSchema>;
export type Expectation = z.output<typeof expectationSchema>;
export type GivenEvent = z.output<typeof givenEventSchema>;

/** Parses and checks one test file's text; `journeyIds` are the journeys it may name. */
export function parseJourneyTestFile(
  text: string,
  file: string,
  journeyIds: ReadonlySet<string>,
): { test?: JourneyTestFile; problems: JourneyProblem[] } {
  const json = parseJsonText(text, file);
  if ("problem" in json) return { problems: [json.problem] };
  const result = journeyTestFileSchema.safeParse(json.value, { reportInput: true });
  if (!result.success)
    return { problems: schemaProblems(file, result.error, { schema: journeyTestFileSchema, input: json.value }) };
  const test = result.data;
  const problems = unknownJourneys(test, journeyIds).map(({ path, id }) => ({
    file,
    path,
    message: `no journey ${quote(id)} in the folder (journeys: ${[...journeyIds].sort().join(", ")})`,
  }));
  return problems.length === 0 ? { test, problems } : { problems };
}

function unknownJourneys(test: JourneyTestFile, journeyIds: ReadonlySet<string>) {
  const unknown: { path: string; id: string }[] = [];
  if (!journeyIds.has(test.journey)) unknown.push({ path: "journey", id: test.journey });
  test.cases.forEach((testCase, c) => {
    for (const list of ["expect", "never"] as const) {
      testCase[list].forEach((expectation, e) => {
        if (expectation.journey !== undefined && !journeyIds.has(expectation.journey))
          unknown.push({ path: `cases[${c}].${list}[${e}].journey`, id: expectation.journey });
      });
    }
  });
  return unknown;
}

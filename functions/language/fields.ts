import * as z from "zod";
import { validatePattern } from "./pattern/index.ts";

/** Field schemas the journey language's files share (schema.ts, schedule-trigger.ts). */

/** A value as a problem message quotes it: a text in quotes, anything else as JSON. */
export const quote = (value: unknown): string => (typeof value === "string" ? `"${value}"` : JSON.stringify(value));

/** An Amazon EventBridge event pattern, validated as EventBridge would. */
export const eventPattern = (what: string) =>
  z
    .record(z.string(), z.unknown(), {
      error: (issue) => `expected an EventBridge event pattern object, got ${quote(issue.input)}`,
    })
    .superRefine((pattern, ctx) => {
      try {
        validatePattern(pattern);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      }
    })
    .describe(
      `${what}: an Amazon EventBridge event pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html).`,
    );

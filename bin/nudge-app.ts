/**
 * The CDK app's entry (cdk.json runs it with tsx): `npx cdk synth`, `npx cdk deploy [-c stage=prod]
 * [-c busName=...] [-c alarmEmail=...]`. A journey file that fails validation stops it with the same
 * lines `nudge validate` prints.
 */
import { fileURLToPath } from "node:url";
import { InvalidJourneyError } from "../functions/shared/errors.ts";
import { createNudgeApp } from "../lib/app.ts";

try {
  await createNudgeApp({ projectRoot: fileURLToPath(new URL("..", import.meta.url)) });
} catch (error) {
  if (!(error instanceof InvalidJourneyError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Template } from "aws-cdk-lib/assertions";
import { createNudgeApp, type NudgeAppOptions } from "../../lib/app.ts";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The context `cdk synth` gives the app from cdk.json: the feature flags, so that tests build the same. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(`${PROJECT_ROOT}/cdk.json`, "utf8")) as { context: object }).context;

/**
 * The app's options as `cdk synth` would give them (cdk.json's context, no region or account from the
 * environment), with `context` on top, but without bundling the functions (lib/bundling.ts is tested on
 * its own, and `npx cdk synth` bundles) nor CDK's built-in schema validation (seconds per synth; cfn-lint
 * checks the templates instead). cdk-nag runs.
 */
export function appOptions(context: Record<string, unknown> = {}, options: Partial<NudgeAppOptions> = {}) {
  return {
    projectRoot: PROJECT_ROOT,
    cwd: PROJECT_ROOT,
    builtinValidation: false,
    env: {},
    ...options,
    context: { ...CDK_JSON_CONTEXT, "aws:cdk:bundling-stacks": [], ...context },
  };
}

/** The app as `cdk synth` builds it (see appOptions), and its template. */
export async function synthesize(context: Record<string, unknown> = {}, options: Partial<NudgeAppOptions> = {}) {
  const { app, stack } = await createNudgeApp(appOptions(context, options));
  return { app, stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

/** The resources of a type, by logical id. */
export const resourcesOf = (template: Template, type: string) =>
  template.findResources(type) as Record<string, Resource>;

/** The logical id a `{"Fn::GetAtt": [id, ...]}` or `{"Ref": id}` points at. */
export function refId(value: unknown): string | undefined {
  if (value !== null && typeof value === "object") {
    const getAtt = (value as { "Fn::GetAtt"?: unknown[] })["Fn::GetAtt"];
    if (Array.isArray(getAtt)) return String(getAtt[0]);
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === "string") return ref;
  }
  return undefined;
}

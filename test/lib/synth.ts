import { fileURLToPath } from "node:url";
import { Template } from "aws-cdk-lib/assertions";
import { createNudgeApp, type NudgeAppOptions } from "../../lib/app.ts";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The app as `cdk synth` builds it, for template assertions: the seed journeys, cdk-nag on, but without
 * bundling the functions (lib/bundling.ts is tested on its own, and `npx cdk synth` bundles) and without
 * CDK's built-in schema validation (seconds per synth; cfn-lint checks one template instead).
 */
export async function synthesize(context: Record<string, unknown> = {}, options: Partial<NudgeAppOptions> = {}) {
  const { app, stack } = await createNudgeApp({
    projectRoot: PROJECT_ROOT,
    cwd: PROJECT_ROOT,
    builtinValidation: false,
    env: {},
    ...options,
    context: { "aws:cdk:bundling-stacks": [], ...context },
  });
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

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect } from "vitest";
import { createNudgeApp } from "../../lib/app.ts";
import { itWith, type OutsideProgram, onPath } from "../support/outside-program.ts";
import { PROGRAM_TIMEOUT_MS } from "../support/until.ts";
import { appOptions } from "./synth.ts";

/** cfn-lint (Python; not a Debian package) is on the project's machines; where it is not, say so. */
const cfnLint: OutsideProgram = {
  label: "cfn-lint",
  path: onPath(["cfn-lint"]),
  install: "pip install cfn-lint",
};

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

async function templateFile(context: Record<string, unknown>): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), "nudge-cdk-"));
  outdirs.push(outdir);
  const { app, stack } = await createNudgeApp(appOptions(context, { outdir }));
  return app.synth().getStackArtifact(stack.artifactId).templateFullPath;
}

describe("the synthesized templates", () => {
  itWith(cfnLint)(
    "pass cfn-lint in the regions Nudge runs in (W3005 ignored: CDK output always raises it)",
    async () => {
      // Prepare: the default stage, production on an existing bus, and the channels' providers configured.
      const files = [
        await templateFile({}),
        await templateFile({ stage: "prod", busName: "shop-events" }),
        await templateFile({
          stage: "providers",
          webhookUrl: "https://gateway.shop.example.cn/nudge",
          emailFrom: '"Shop" <news@shop.example.cn>',
          sesConfigurationSet: "nudge-marketing",
        }),
      ];
      // Act
      const lint = spawnSync(
        cfnLint.path as string,
        ["--ignore-checks", "W3005", "--regions", "us-east-1", "cn-north-1", "--", ...files],
        { encoding: "utf8", timeout: PROGRAM_TIMEOUT_MS },
      );
      // Assess
      expect(lint.stdout + lint.stderr).toBe("");
      expect(lint.status).toBe(0);
    },
  );
});

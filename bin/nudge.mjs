#!/usr/bin/env node
// The `nudge` command. It runs the CLI as compiled into dist/ (bin/build-cli.mjs: at `npm ci`, and again
// here first whenever a source changed since), which starts several times faster than compiling the
// TypeScript at every start.
import module from "node:module";
import { cliEntry } from "./build-cli.mjs";

// Node.js 22.1 and later keep V8's compiled code of the CLI between runs (none on Node.js 20).
module.enableCompileCache?.();

// The AWS SDK's notice that it will drop Node.js 20 is for whoever picks the runtime, not for the user of
// a command; Node.js 20.19 or later is what Nudge supports (package.json "engines").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// A reader that stops early (`nudge simulate ... | head`) closes the pipe: that ends the command quietly,
// as it ends any Unix tool, rather than with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
const { main } = await import(await cliEntry());
process.exitCode = await main(process.argv.slice(2));

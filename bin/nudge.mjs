#!/usr/bin/env node
// The `nudge` command. The sources are TypeScript; tsx compiles them on load, so a checkout runs after `npm ci`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../functions/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));

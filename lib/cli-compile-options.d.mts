import type { BuildOptions } from "esbuild";

/** How the CLI's code is compiled, apart from where it goes (lib/cli-compile-options.mjs). */
export declare const CLI_COMPILE_OPTIONS: BuildOptions & { external: string[] };

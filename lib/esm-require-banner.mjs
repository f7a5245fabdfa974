/**
 * ESM output needs `require` for the CommonJS parts of the AWS SDK and Powertools that esbuild bundles
 * in (they require Node's built-in modules). Plain JavaScript, so that bin/build-cli.mjs (the CLI's
 * build, run by Node without a TypeScript loader) and lib/bundling.ts (the Lambda functions') share it.
 */
export const ESM_REQUIRE_BANNER = "import{createRequire}from'module';const require=createRequire(import.meta.url);";

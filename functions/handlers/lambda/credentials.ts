/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (an esbuild alias, see
 * lib/bundling.ts): the environment variables Lambda sets for the function's role, and nothing else. The
 * full chain (SSO, INI files, STS web identity, IMDS...) is a third of the SDK in a bundle and never used
 * there. https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";

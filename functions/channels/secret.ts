/**
 * The secrets the channels sign with (the webhook signing secret, the unsubscribe token secret). On AWS
 * a secret is read from AWS Secrets Manager, once per container: the first call fetches it and every
 * later call reuses the same promise (a failed fetch is forgotten, so the next record tries again).
 * Locally, and in tests, it comes from an environment variable.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets.html
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { NudgeError } from "../shared/errors.ts";

/** A secret could not be read. */
export class SecretError extends NudgeError {}

export type SecretSource = () => Promise<string>;

/** A fixed secret (an environment variable's value, a test's). */
export function fixedSecret(value: string): SecretSource {
  const secret = Promise.resolve(value);
  return () => secret;
}

/** The secret string of a Secrets Manager secret, fetched on first use and cached for the container. */
export function secretsManagerSecret(client: Pick<SecretsManagerClient, "send">, secretId: string): SecretSource {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= (async () => {
      try {
        const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        if (output.SecretString === undefined || output.SecretString === "") {
          throw new SecretError(`secret ${secretId} has no SecretString`);
        }
        return output.SecretString;
      } catch (error) {
        cached = undefined;
        if (error instanceof SecretError) throw error;
        throw new SecretError(`secret ${secretId} could not be read`, { cause: error });
      }
    })();
    return cached;
  };
}

/** A secret from its ARN (read once per container) or its value, as a function's configuration gives it. */
export function secretSource(
  setting: { arn: string } | { value: string },
  client: () => Pick<SecretsManagerClient, "send">,
): SecretSource {
  return "arn" in setting ? secretsManagerSecret(client(), setting.arn) : fixedSecret(setting.value);
}

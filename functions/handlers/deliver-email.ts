/**
 * The email channel's deliver function: the deliver handler (deliver.ts) with the SES channel, which
 * reads each user's profile from the table for the address and the last-moment consent check. A function
 * of its own (lambda/deliver-email.ts), so that the webhook channels' bundle carries neither SES nor DynamoDB.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { EmailChannel } from "../channels/email.ts";
import { LedgeredChannel } from "../channels/ledger.ts";
import { secretSource } from "../channels/secret.ts";
import { type Environment, emailDeliverEnvironment, parseConfig, secretSetting } from "./config.ts";
import { channelDependencies, type DeliverDependencies, type DeliverOverrides, once } from "./deliver.ts";
import { platformStore } from "./store.ts";

export function emailDeliverDependencies(
  env: Environment,
  overrides: DeliverOverrides & { ses?: SESv2Client; dynamodb?: DynamoDBDocumentClient } = {},
): DeliverDependencies {
  const config = parseConfig(emailDeliverEnvironment, env, "deliver-email");
  const secret = secretSetting(config, "UNSUBSCRIBE_SECRET_ARN", "NUDGE_UNSUBSCRIBE_SECRET", "deliver-email");
  const sqs = once(() => overrides.sqs ?? new SQSClient({}));
  const store = platformStore(config, overrides.dynamodb, overrides.clock);
  const email = new EmailChannel({
    ses: overrides.ses ?? new SESv2Client({}),
    profiles: store,
    from: config.EMAIL_FROM,
    configurationSet: config.SES_CONFIGURATION_SET,
    defaultSubject: config.EMAIL_DEFAULT_SUBJECT,
    unsubscribeUrl: config.UNSUBSCRIBE_URL,
    unsubscribeSecret: secretSource(secret, () => overrides.secretsManager ?? new SecretsManagerClient({})),
    tokenDays: config.UNSUBSCRIBE_TOKEN_DAYS,
    ...(overrides.clock === undefined ? {} : { clock: overrides.clock }),
  });
  // SES cannot refuse a repeat: the ledger of message ids does (channels/ledger.ts).
  const channel = new LedgeredChannel(email, store);
  return channelDependencies({ channel: channel, config, sqs });
}

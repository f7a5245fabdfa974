/**
 * The SMS channel's deliver function with Alibaba Cloud SMS: the deliver handler (deliver.ts) with the
 * AlibabaSmsChannel, which reads each user's profile from the table for the number and the last-moment
 * consent check, and publishes `user.unsubscribed` to the bus when the provider reports a number
 * unsubscribed. A function of its own (lambda/deliver-sms.ts), as email's: the webhook channels' bundle
 * carries neither the provider's SDK nor DynamoDB.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AlibabaSmsChannel, dysmsapiClient, type SmsClient } from "../channels/alibaba-sms.ts";
import { LedgeredChannel } from "../channels/ledger.ts";
import { secretSource } from "../channels/secret.ts";
import { type Environment, parseConfig, secretSetting, smsDeliverEnvironment } from "./config.ts";
import { channelDependencies, type DeliverDependencies, type DeliverOverrides, once } from "./deliver.ts";
import { platformStore } from "./store.ts";
import { busPublisher } from "./unsubscribe.ts";

export interface SmsDeliverOverrides extends DeliverOverrides {
  dynamodb?: DynamoDBDocumentClient;
  eventBridge?: EventBridgeClient;
  /** The provider's client in place of the SDK's (a test's), else the SDK pointed at SMS_ENDPOINT. */
  sms?: SmsClient;
}

export function smsDeliverDependencies(env: Environment, overrides: SmsDeliverOverrides = {}): DeliverDependencies {
  const config = parseConfig(smsDeliverEnvironment, env, "deliver-sms");
  const secret = secretSetting(config, "ALIBABA_SMS_SECRET_ARN", "NUDGE_ALIBABA_SMS_CREDENTIALS", "deliver-sms");
  const sqs = once(() => overrides.sqs ?? new SQSClient({}));
  const store = platformStore(config, overrides.dynamodb, overrides.clock);
  const client =
    overrides.sms ??
    dysmsapiClient({
      credentials: secretSource(secret, () => overrides.secretsManager ?? new SecretsManagerClient({})),
      endpoint: config.SMS_ENDPOINT,
      timeoutMs: config.SMS_TIMEOUT_MS,
    });
  const sms = new AlibabaSmsChannel({
    client,
    profiles: store,
    templates: config.SMS_TEMPLATES,
    defaultSignName: config.SMS_SIGN_NAME,
    unsubscribe: busPublisher(
      overrides.eventBridge ?? new EventBridgeClient({}),
      config.EVENT_BUS_NAME,
      overrides.clock,
    ),
  });
  // SendSms is not idempotent: the ledger of message ids refuses a repeat (channels/ledger.ts).
  const channel = new LedgeredChannel(sms, store);
  return channelDependencies({ channel: channel, config, sqs });
}

/**
 * The WeChat subscribe message channel's deliver function: the deliver handler (deliver.ts) with the WeChat
 * channel (channels/wechat.ts), which reads each user's openid and grants from the table, shares the access
 * token through it (channels/wechat-token.ts) and clears a user's grants when WeChat answers 43101.
 * A function of its own (lambda/deliver-wechat.ts), as email's. subscribe/send takes no idempotency key:
 * the ledger of message ids keeps a redelivered request from going twice (channels/ledger.ts).
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LedgeredChannel } from "../channels/ledger.ts";
import { type SecretSource, secretSource } from "../channels/secret.ts";
import { WechatSubscribeChannel } from "../channels/wechat.ts";
import { WechatAccessToken, type WechatCredentials } from "../channels/wechat-token.ts";
import { ConfigError, type Environment, parseConfig, secretSetting, wechatDeliverEnvironment } from "./config.ts";
import { channelDependencies, type DeliverDependencies, type DeliverOverrides, once } from "./deliver.ts";
import { platformStore } from "./store.ts";

/** The app's credentials from the secret's JSON; a secret that is not that is a configuration error. */
export function wechatCredentials(secret: SecretSource): () => Promise<WechatCredentials> {
  return async () => {
    const text = await secret();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const { appId, appSecret } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof appId !== "string" || appId === "" || typeof appSecret !== "string" || appSecret === "")
      throw new ConfigError('deliver-wechat: the WeChat secret is not {"appId": "…", "appSecret": "…"}');
    return { appId, appSecret };
  };
}

export function wechatDeliverDependencies(
  env: Environment,
  overrides: DeliverOverrides & { dynamodb?: DynamoDBDocumentClient } = {},
): DeliverDependencies {
  const config = parseConfig(wechatDeliverEnvironment, env, "deliver-wechat");
  const setting = secretSetting(config, "WECHAT_SECRET_ARN", "NUDGE_WECHAT_CREDENTIALS", "deliver-wechat");
  const sqs = once(() => overrides.sqs ?? new SQSClient({}));
  const store = platformStore(config, overrides.dynamodb, overrides.clock);
  const secret = secretSource(setting, () => overrides.secretsManager ?? new SecretsManagerClient({}));
  const fetch = overrides.fetch === undefined ? {} : { fetch: overrides.fetch };
  const clock = overrides.clock === undefined ? {} : { clock: overrides.clock };
  const apiBase = config.WECHAT_API_BASE;
  const token = new WechatAccessToken({
    store,
    credentials: wechatCredentials(secret),
    apiBase,
    timeoutMs: config.WECHAT_TIMEOUT_MS,
    ...fetch,
    ...clock,
  });
  const wechat = new WechatSubscribeChannel({
    apiBase,
    token,
    profiles: store,
    users: store,
    miniprogramState: config.WECHAT_MINIPROGRAM_STATE,
    timeoutMs: config.WECHAT_TIMEOUT_MS,
    ...fetch,
    ...clock,
  });
  return channelDependencies({ channel: new LedgeredChannel(wechat, store), config, sqs });
}

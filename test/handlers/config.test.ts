import { describe, expect, it } from "vitest";
import { ConfigError } from "../../functions/handlers/config.ts";
import { deliverDependencies } from "../../functions/handlers/deliver.ts";
import { ingestDependencies } from "../../functions/handlers/ingest.ts";
import { embeddedJourneys } from "../../functions/handlers/journeys.ts";
import { tickDependencies } from "../../functions/handlers/tick.ts";

describe("function configuration", () => {
  it("rejects a bad environment at init, naming every variable and what is wrong with it", () => {
    // Prepare
    const env = { TABLE_NAME: "", MAX_EVENT_BYTES: "32k", DYNAMODB_ENDPOINT: "localhost:8000" };
    // Act
    const build = () => ingestDependencies(env, { journeys: [] });
    // Assess
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      'ingest: bad configuration: TABLE_NAME: must not be empty; DYNAMODB_ENDPOINT: expected an http(s) URL such as http://127.0.0.1:8000; INGEST_QUEUE_URL: required; DELIVERY_QUEUE_URLS: required; MAX_EVENT_BYTES: expected a whole number from 1 to 262144, got "32k"',
    );
  });

  it("checks the tick's lookahead against SQS's longest delay, and the deliver function's provider", () => {
    // Prepare
    const tickEnv = { TABLE_NAME: "t", WAKE_UP_QUEUE_URL: "https://q", LOOKAHEAD_SECONDS: "901" };
    // Act
    const tick = () => tickDependencies(tickEnv);
    const deliver = () => deliverDependencies({ CHANNEL: "sms", CHANNEL_KIND: "carrier-pigeon" });
    const webhookWithoutSecret = () =>
      deliverDependencies({ CHANNEL: "sms", CHANNEL_KIND: "webhook", WEBHOOK_URL: "https://gw.example/sms" });
    const webhookWithoutUrl = () =>
      deliverDependencies({ CHANNEL: "sms", CHANNEL_KIND: "webhook", NUDGE_WEBHOOK_SECRET: "s" });
    // Assess
    expect(tick).toThrow(
      'tick: bad configuration: LOOKAHEAD_SECONDS: expected a whole number from 0 to 900, got "901"',
    );
    expect(deliver).toThrow(
      'deliver: bad configuration: CHANNEL_KIND: expected "log" or "webhook" (email has a function of its own), got "carrier-pigeon"',
    );
    expect(webhookWithoutSecret).toThrow(
      "deliver: bad configuration: WEBHOOK_SECRET_ARN: required (or NUDGE_WEBHOOK_SECRET, the secret itself)",
    );
    expect(webhookWithoutUrl).toThrow("deliver: bad configuration: WEBHOOK_URL: required for CHANNEL_KIND webhook");
  });

  it("reads the delivery queues as a JSON map of channel to URL, and says what is wrong with one that is not", () => {
    // Prepare
    const base = { TABLE_NAME: "t", INGEST_QUEUE_URL: "https://q/ingest" };
    // Act
    const notJson = () => ingestDependencies({ ...base, DELIVERY_QUEUE_URLS: "push=https://q/push" }, { journeys: [] });
    const badUrl = () =>
      ingestDependencies(
        { ...base, DELIVERY_QUEUE_URLS: JSON.stringify({ push: "https://q/push", sms: "sqs-sms" }) },
        { journeys: [] },
      );
    const good = () =>
      ingestDependencies(
        { ...base, DELIVERY_QUEUE_URLS: JSON.stringify({ push: "https://q/push" }) },
        { journeys: [] },
      );
    // Assess
    expect(notJson).toThrow(
      'ingest: bad configuration: DELIVERY_QUEUE_URLS: expected a JSON object of channel names to queue URLs, such as {"push": "https://sqs…"}',
    );
    expect(badUrl).toThrow('ingest: bad configuration: DELIVERY_QUEUE_URLS: channel "sms": expected a queue URL');
    expect(good).not.toThrow();
  });

  it("says how to get journeys when the code runs outside a bundle built by the CDK app", () => {
    // Act
    const read = () => embeddedJourneys();
    // Assess
    expect(read).toThrow(/no journeys in this bundle: build it with the CDK app/);
  });
});

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
      'ingest: bad configuration: TABLE_NAME: must not be empty; DYNAMODB_ENDPOINT: expected an http(s) URL such as http://127.0.0.1:8000; INGEST_QUEUE_URL: required; DELIVERY_QUEUE_URL: required; MAX_EVENT_BYTES: expected a whole number from 1 to 262144, got "32k"',
    );
  });

  it("checks the tick's lookahead against SQS's longest delay, and the deliver function's channel", () => {
    // Prepare
    const tickEnv = { TABLE_NAME: "t", WAKE_UP_QUEUE_URL: "https://q", LOOKAHEAD_SECONDS: "901" };
    // Act
    const tick = () => tickDependencies(tickEnv);
    const deliver = () => deliverDependencies({ CHANNEL: "sms" });
    // Assess
    expect(tick).toThrow(
      'tick: bad configuration: LOOKAHEAD_SECONDS: expected a whole number from 0 to 900, got "901"',
    );
    expect(deliver).toThrow('deliver: bad configuration: CHANNEL: expected "log" (the only channel so far), got "sms"');
  });

  it("says how to get journeys when the code runs outside a bundle built by the CDK app", () => {
    // Act
    const read = () => embeddedJourneys();
    // Assess
    expect(read).toThrow(/no journeys in this bundle: build it with the CDK app/);
  });
});

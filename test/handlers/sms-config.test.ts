import { describe, expect, it } from "vitest";
import { ConfigError } from "../../functions/handlers/config.ts";
import { smsDeliverDependencies } from "../../functions/handlers/deliver-sms.ts";

describe("the SMS deliver function's configuration", () => {
  it("rejects a bad environment at init, naming each variable: the signature, the templates' map, the endpoint, the timeout", () => {
    // Prepare
    const env = {
      TABLE_NAME: "t",
      EVENT_BUS_NAME: "nudge-dev",
      SMS_TEMPLATES: JSON.stringify({ welcome: { templateCode: 153055065 } }),
      SMS_ENDPOINT: "dysmsapi.aliyuncs.com",
      SMS_TIMEOUT_MS: "500",
      NUDGE_ALIBABA_SMS_CREDENTIALS: "{}",
    };

    // Act
    const build = () => smsDeliverDependencies(env);

    // Assess
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      'deliver-sms: bad configuration: SMS_ENDPOINT: expected an http(s) URL such as https://dysmsapi.aliyuncs.com; SMS_SIGN_NAME: required; SMS_TEMPLATES: expected a JSON object of template ids to {"templateCode": "SMS_…", "signName"?: "…"}; SMS_TIMEOUT_MS: expected a whole number from 1000 to 60000, got "500"',
    );
  });

  it("needs the AccessKey: a Secrets Manager secret, or its JSON", () => {
    // Prepare
    const env = { TABLE_NAME: "t", EVENT_BUS_NAME: "nudge-dev", SMS_SIGN_NAME: "好物商城" };

    // Act
    const build = () => smsDeliverDependencies(env);

    // Assess
    expect(build).toThrow(
      "deliver-sms: bad configuration: ALIBABA_SMS_SECRET_ARN: required (or NUDGE_ALIBABA_SMS_CREDENTIALS, the secret itself)",
    );
  });
});

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook } from "../../functions/channels/webhook-signature.ts";
import { localSecret } from "../../functions/local/secrets.ts";

describe("the local platform's secrets", () => {
  it("generates a Standard Webhooks secret once, keeps it across starts, and lets the environment's win", () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "nudge-secrets-"));
    // Act
    const first = localSecret(dir, "webhook", undefined, newWebhookSecret);
    const again = localSecret(dir, "webhook", undefined, newWebhookSecret);
    const given = localSecret(dir, "webhook", "whsec_Z2l2ZW4=", newWebhookSecret);
    // Assess: whsec_ and base64, which a receiver's library takes as it is.
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(again).toBe(first);
    expect(given).toBe("whsec_Z2l2ZW4=");
    expect(JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8")).webhook).toBe(first);
    const signed = { id: "m-1", timestamp: 1_795_000_000, body: '{"a":1}' };
    expect(signWebhook(first, signed)).toBe(
      new Webhook(first).sign(signed.id, new Date(1_795_000_000_000), signed.body),
    );
  });
});

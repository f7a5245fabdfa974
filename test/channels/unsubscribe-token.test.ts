import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signUnsubscribeToken, verifyUnsubscribeToken } from "../../functions/channels/unsubscribe-token.ts";

const SECRET = "unsub_2b7c9d4e1f0a3b6c8d5e2f9a1b4c7d0e";
const NOW = Date.parse("2026-11-18T02:14:14Z");
const claim = { userId: "u_102938", channel: "email", expiresAt: Math.floor(NOW / 1000) + 60 * 86_400 };

describe("unsubscribe tokens", () => {
  it("round-trips the user, channel and expiry of a token signed with the secret", () => {
    // Act
    const token = signUnsubscribeToken(SECRET, claim);
    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyUnsubscribeToken(SECRET, token, NOW)).toEqual({ ok: true, claim });
    expect(verifyUnsubscribeToken(SECRET, signUnsubscribeToken(SECRET, { ...claim, channel: "*" }), NOW)).toEqual({
      ok: true,
      claim: { ...claim, channel: "*" },
    });
  });

  it("refuses a token whose payload was changed (another user), with a plain reason", () => {
    // Prepare: the payload swapped for another user's, the MAC kept.
    const token = signUnsubscribeToken(SECRET, claim);
    const [, mac] = token.split(".");
    const forged = `${Buffer.from(JSON.stringify(["u_999999", "email", claim.expiresAt])).toString("base64url")}.${mac}`;
    // Act
    const result = verifyUnsubscribeToken(SECRET, forged, NOW);
    // Assess
    expect(result).toEqual({ ok: false, reason: "the link is not valid (altered, or not issued by this service)" });
  });

  it("refuses a token signed with another secret, and a later expiry written in by hand", () => {
    // Prepare
    const foreign = signUnsubscribeToken("another-secret", claim);
    const token = signUnsubscribeToken(SECRET, { ...claim, expiresAt: Math.floor(NOW / 1000) - 1 });
    const [, mac] = token.split(".");
    const extended = `${Buffer.from(JSON.stringify([claim.userId, claim.channel, claim.expiresAt])).toString("base64url")}.${mac}`;
    // Act / Assess
    expect(verifyUnsubscribeToken(SECRET, foreign, NOW).ok).toBe(false);
    expect(verifyUnsubscribeToken(SECRET, extended, NOW).ok).toBe(false);
  });

  it("refuses an expired token, and says so", () => {
    // Prepare
    const token = signUnsubscribeToken(SECRET, { ...claim, expiresAt: Math.floor(NOW / 1000) - 1 });
    // Act
    const result = verifyUnsubscribeToken(SECRET, token, NOW);
    // Assess
    expect(result).toEqual({ ok: false, reason: "the link has expired" });
    // One second earlier it was still good.
    expect(verifyUnsubscribeToken(SECRET, token, NOW - 1_000).ok).toBe(true);
  });

  it("refuses malformed tokens without throwing", () => {
    // Prepare: a signed payload that is not the three fields, and texts that are not tokens.
    const payload = Buffer.from(JSON.stringify({ userId: "u-1" })).toString("base64url");
    const signedObject = `${payload}.${signUnsubscribeToken(SECRET, claim).split(".")[1]}`;
    const wellSignedBadShape = `${payload}.${createHmac("sha256", SECRET).update(payload).digest("base64url")}`;
    // Act / Assess
    for (const token of ["", "abc", "a.b.c", "not a token.x", "%%%.###", signedObject]) {
      expect(verifyUnsubscribeToken(SECRET, token, NOW).ok, token).toBe(false);
    }
    expect(verifyUnsubscribeToken(SECRET, wellSignedBadShape, NOW)).toEqual({
      ok: false,
      reason: "the link is malformed",
    });
  });
});

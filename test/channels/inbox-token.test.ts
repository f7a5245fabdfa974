import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { MAX_TOKEN_SECONDS, signInboxToken, verifyInboxToken } from "../../functions/channels/inbox-token.ts";
import { root } from "../cli/capture-io.ts";

const SECRET = "the-shop-backend-and-nudge-share-this";
const NOW = Date.parse("2026-11-18T02:00:00Z");

/** The minting example of docs/channels/inbox.md: the first js block after its marker, as a module. */
async function documentedExample(): Promise<(userId: string, secret: string, minutes?: number) => string> {
  const doc = readFileSync(join(root, "docs/channels/inbox.md"), "utf8");
  const after = doc.slice(doc.indexOf("<!-- inbox-token-example -->"));
  const code = /```js\n([\s\S]*?)```/.exec(after)?.[1];
  if (code === undefined) throw new Error("no minting example in docs/channels/inbox.md");
  const file = join(mkdtempSync(join(tmpdir(), "nudge-doc-")), "mint.mjs");
  writeFileSync(file, code);
  const module = (await import(pathToFileURL(file).href)) as {
    inboxToken: (u: string, s: string, m?: number) => string;
  };
  return module.inboxToken;
}

describe("inbox tokens", () => {
  it("accepts what the documented 10-line example mints, for its user, and it is at most 10 lines", async () => {
    // Prepare
    const inboxToken = await documentedExample();

    // Act
    const token = inboxToken("u_102938", SECRET);
    const verified = verifyInboxToken(SECRET, token, Date.now());

    // Assess
    expect(verified).toEqual({ ok: true, claim: { userId: "u_102938", expiresAt: expect.any(Number) } });
    const doc = readFileSync(join(root, "docs/channels/inbox.md"), "utf8");
    const block = /<!-- inbox-token-example -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    expect(block.trim().split("\n").length).toBeLessThanOrEqual(10);
  });

  it("signs and verifies its own, and refuses one past its expiry or good for longer than allowed", () => {
    // Prepare
    const expiresAt = Math.floor(NOW / 1000) + 900;
    const token = signInboxToken(SECRET, { userId: "u_1", expiresAt });
    const longLived = signInboxToken(SECRET, {
      userId: "u_1",
      expiresAt: Math.floor(NOW / 1000) + MAX_TOKEN_SECONDS + 1,
    });

    // Act
    const now = verifyInboxToken(SECRET, token, NOW);
    const later = verifyInboxToken(SECRET, token, (expiresAt + 1) * 1000);
    const tooLong = verifyInboxToken(SECRET, longLived, NOW);
    const malformed = verifyInboxToken(SECRET, "not a token", NOW);

    // Assess
    expect(now).toEqual({ ok: true, claim: { userId: "u_1", expiresAt } });
    expect(later).toEqual({ ok: false, reason: "the token has expired" });
    expect(tooLong).toMatchObject({ ok: false, reason: expect.stringContaining("short-lived") });
    expect(malformed).toEqual({ ok: false, reason: "the token is malformed" });
  });
});

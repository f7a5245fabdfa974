/**
 * The local platform's secrets (webhook signing, unsubscribe tokens, inbox tokens): the environment variable when
 * set (`NUDGE_WEBHOOK_SECRET`, `NUDGE_UNSUBSCRIBE_SECRET`, `NUDGE_INBOX_SECRET`), else one generated at the first start and kept in
 * `<dir>/secrets.json`, so that links in the outbox keep working across restarts.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function localSecret(
  dir: string,
  name: string,
  fromEnvironment: string | undefined,
  generate: () => string = () => randomBytes(32).toString("base64url"),
): string {
  if (fromEnvironment !== undefined && fromEnvironment !== "") return fromEnvironment;
  const path = join(dir, "secrets.json");
  let secrets: Record<string, string> = {};
  if (existsSync(path)) {
    try {
      secrets = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    } catch {
      secrets = {};
    }
  }
  const known = secrets[name];
  if (typeof known === "string" && known !== "") return known;
  const secret = generate();
  writeFileSync(path, `${JSON.stringify({ ...secrets, [name]: secret }, null, 2)}\n`, { mode: 0o600 });
  return secret;
}

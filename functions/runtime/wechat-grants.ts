import { profileWithGrantsCleared } from "../engine/policies/grants.ts";
import { ConcurrencyError } from "../shared/errors.ts";
import { formatInstant } from "../shared/time.ts";
import type { UserStore } from "./ports.ts";

/** Tries a grant reset may take against other writes of the user before giving up (the message is retried). */
const MAX_ATTEMPTS = 5;

/**
 * Clears a user's grants of a WeChat template, when WeChat refused a send with errcode 43101 (the user
 * turned the template's messages off, or has no grant WeChat knows of): sends the profile counts on would
 * be refused too. One conditional write of the user on the revision read; a lost race reads again.
 * Grants given after `at` (a later `wechat.subscription_granted`) count again.
 */
export async function clearWechatGrants(
  store: UserStore,
  request: { userId: string; templateId: string; at: number },
): Promise<void> {
  const { userId, templateId, at } = request;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await store.getUser(userId, { consistent: true });
    const profile = stored?.value.profile;
    if (profile === undefined) return;
    const cleared = profileWithGrantsCleared(profile, templateId, formatInstant(at));
    try {
      await store.putUser(userId, { profile: cleared }, stored?.revision);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt === MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * The WeChat access token, shared by every instance of the channel: WeChat gives one token per app (2 hours),
 * and a token fetched by one instance serves them all, so it is kept in the store (SharedValueStore, one
 * item) rather than fetched per container. Fetched with getStableAccessToken (`POST /cgi-bin/stable_token`),
 * whose normal mode hands back the same token while it is valid; `force_refresh` only after WeChat said the
 * token is no longer good (errcode 40001, 40014, 42001), as forced refreshes are limited.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
 *
 * One refresh, not a stampede: an instance that finds no good token takes a lease on the item (a conditional
 * write on its revision) and fetches; the others, finding the lease, wait and read again. A lease whose
 * holder died lapses after LEASE_MS.
 */
import { randomUUID } from "node:crypto";
import type { SharedValueStore } from "../runtime/ports.ts";
import { ConcurrencyError } from "../shared/errors.ts";
import { RetryableDeliveryError } from "./errors.ts";

/** A token this close to its expiry is fetched again (normal mode gives a new one then). */
export const TOKEN_MARGIN_MS = 5 * 60_000;
/** How long a refresh may hold the lease before another instance may take it. */
export const LEASE_MS = 10_000;
/** How long an instance waits between reads while another refreshes. */
const WAIT_MS = 100;
/** Reads an instance makes before it gives up (the message is retried later): a little over a lease. */
const MAX_READS = Math.ceil((LEASE_MS * 1.5) / WAIT_MS);

export interface WechatCredentials {
  appId: string;
  appSecret: string;
}

/** The shared item's value. */
interface TokenItem {
  token?: string;
  /** Epoch ms the token expires at. */
  expiresAt?: number;
  /** WeChat refused the token: the next refresh forces a new one. */
  stale?: boolean;
  leaseOwner?: string;
  leaseUntil?: number;
}

export interface WechatTokenOptions {
  store: SharedValueStore;
  credentials: () => Promise<WechatCredentials>;
  /** `https://api.weixin.qq.com`, or a local stand-in's URL. */
  apiBase: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WechatAccessToken {
  private cached: { token: string; expiresAt: number } | undefined;
  private readonly owner = randomUUID();
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WechatTokenOptions) {
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? pause;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** A token good for a few minutes at least: this instance's, the store's, or fetched under the lease. */
  async get(): Promise<string> {
    if (this.cached !== undefined && this.cached.expiresAt - TOKEN_MARGIN_MS > this.clock()) return this.cached.token;
    const key = await this.key();
    for (let read = 0; read < MAX_READS; read++) {
      const stored = await this.options.store.getShared(key, { consistent: true });
      const item = (stored?.value ?? {}) as TokenItem;
      const now = this.clock();
      if (item.token !== undefined && item.stale !== true && (item.expiresAt ?? 0) - TOKEN_MARGIN_MS > now) {
        this.cached = { token: item.token, expiresAt: item.expiresAt ?? 0 };
        return item.token;
      }
      if ((item.leaseUntil ?? 0) > now && item.leaseOwner !== this.owner) {
        await this.sleep(WAIT_MS);
        continue;
      }
      const leased = { ...item, leaseOwner: this.owner, leaseUntil: now + LEASE_MS };
      const revision = await this.options.store.putShared(key, leased, stored?.revision).catch((error: unknown) => {
        if (error instanceof ConcurrencyError) return undefined; // another instance took it first: read again
        throw error;
      });
      if (revision !== undefined) return this.refresh(key, { revision, force: item.stale === true });
    }
    throw new RetryableDeliveryError(`WeChat access token: another instance held the refresh for ${LEASE_MS} ms`);
  }

  /** WeChat refused `token`: the store's item is marked stale, unless another instance replaced it already. */
  async invalidate(token: string): Promise<void> {
    this.cached = undefined;
    const key = await this.key();
    const stored = await this.options.store.getShared(key, { consistent: true });
    const item = (stored?.value ?? {}) as TokenItem;
    if (stored === undefined || item.token !== token) return;
    await this.options.store.putShared(key, { ...item, stale: true }, stored.revision).catch((error: unknown) => {
      if (!(error instanceof ConcurrencyError)) throw error;
    });
  }

  private async key(): Promise<string> {
    return `wechat-token#${(await this.options.credentials()).appId}`;
  }

  /** Fetches a token under the lease and stores it; a failure gives the lease back. */
  private async refresh(key: string, lease: { revision: number; force: boolean }): Promise<string> {
    let fresh: { token: string; expiresAt: number };
    try {
      fresh = await this.fetchToken(lease.force);
    } catch (error) {
      await this.options.store.putShared(key, {}, lease.revision).catch(() => undefined);
      throw error;
    }
    // Lost only when the lease lapsed and another instance took it: this token is good all the same.
    await this.options.store
      .putShared(key, { token: fresh.token, expiresAt: fresh.expiresAt }, lease.revision)
      .catch((error: unknown) => {
        if (!(error instanceof ConcurrencyError)) throw error;
      });
    this.cached = fresh;
    return fresh.token;
  }

  private async fetchToken(force: boolean): Promise<{ token: string; expiresAt: number }> {
    const { appId, appSecret } = await this.options.credentials();
    const url = `${this.options.apiBase}/cgi-bin/stable_token`;
    let answer: { access_token?: unknown; expires_in?: unknown; errcode?: unknown };
    try {
      const response = await this.fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          grant_type: "client_credential",
          appid: appId,
          secret: appSecret,
          force_refresh: force,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      answer = (await response.json()) as typeof answer;
    } catch (error) {
      throw new RetryableDeliveryError("WeChat access token: stable_token did not answer", { cause: error });
    }
    if (typeof answer.access_token !== "string" || typeof answer.expires_in !== "number") {
      // A wrong appid/secret (40013, 40125), an IP not on the allow list (40164), the quota (45009): an
      // operator's fix; the message is retried, then rests in the dead-letter queue. The answer holds no secret.
      throw new RetryableDeliveryError(`WeChat access token: stable_token answered errcode ${String(answer.errcode)}`);
    }
    return { token: answer.access_token, expiresAt: this.clock() + answer.expires_in * 1000 };
  }
}

import { describe, expect, it } from "vitest";
import type { MessageChannel, MessageRequest } from "../../functions/channels/channel.ts";
import { LedgeredChannel } from "../../functions/channels/ledger.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";

const message: MessageRequest = {
  id: "new-user-coupon:u1:1:3:send",
  type: "message.sent",
  at: "2026-11-02T02:00:00.000Z",
  journey: "new-user-coupon",
  version: 1,
  user: "u1",
  run: "new-user-coupon:u1:1",
  channel: "email",
  template: "welcome",
  category: "marketing",
  locale: "zh-CN",
  text: "欢迎加入！",
};

/** A provider that counts what it took, and fails the sends it is told to. */
function provider(failures = 0) {
  const taken: string[] = [];
  let failing = failures;
  const channel: MessageChannel = {
    send: async (request) => {
      if (failing-- > 0) throw new Error("SES: throttled");
      taken.push(request.id);
      return undefined;
    },
  };
  return { channel, taken };
}

describe("LedgeredChannel: at most once to a provider that cannot refuse a repeat", () => {
  it("sends a message once however often its request comes, and records it without its text", async () => {
    // Prepare
    const store = new MemoryStore();
    const { channel, taken } = provider();
    const ledgered = new LedgeredChannel(channel, store);
    // Act: the same request three times (SQS redeliveries, an outbox handed on twice).
    const results = [await ledgered.send(message), await ledgered.send(message), await ledgered.send(message)];
    // Assess
    expect(taken).toEqual([message.id]);
    expect(results).toEqual([undefined, { skipped: "already-sent" }, { skipped: "already-sent" }]);
    expect(await store.hasEffect(message.id)).toBe(true);
  });

  it("records nothing when the provider did not take it, so the retry sends it", async () => {
    // Prepare
    const store = new MemoryStore();
    const { channel, taken } = provider(1);
    const ledgered = new LedgeredChannel(channel, store);
    // Act
    const failed = await ledgered.send(message).catch((error: unknown) => error);
    const retried = await ledgered.send(message);
    // Assess
    expect(String(failed)).toContain("throttled");
    expect(retried).toBeUndefined();
    expect(taken).toEqual([message.id]);
  });
});

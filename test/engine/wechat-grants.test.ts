import { describe, expect, it } from "vitest";
import { emptyProfile } from "../../functions/engine/context.ts";
import type { Profile } from "../../functions/engine/model.ts";
import { type GrantUse, profileWithGrantsUsed, wechatVerdict } from "../../functions/engine/policies/grants.ts";
import { applyEventToProfile } from "../../functions/engine/profile.ts";
import { shopEvent } from "./fixtures.ts";

const TEMPLATE_ID = "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ";
const params = { "@templateId": TEMPLATE_ID, thing1: "会员日专享券已到账" };
const granted = (time: string, count: number, id: string) =>
  shopEvent("wechat.subscription_granted", time, { userId: "u1", templateId: TEMPLATE_ID, count }, id);

describe("WeChat subscription grants (pure)", () => {
  it("adds a grant event's count once, however often it is delivered", () => {
    // Prepare
    const event = granted("2026-11-18T02:00:00Z", 2, "g-1");

    // Act
    const once = applyEventToProfile(undefined, event);
    const twice = once && applyEventToProfile(once, event);

    // Assess
    expect(once?.wechatGrants).toEqual({ [TEMPLATE_ID]: { count: 2 } });
    expect(twice).toBeUndefined();
  });

  it("adds nothing from a grant older than the refusal that cleared the template, and counts a later one", () => {
    // Prepare: WeChat refused at 03:00; a grant of 02:00 arrives late, then one of 04:00.
    const cleared: Profile = {
      ...emptyProfile("u1"),
      wechatGrants: { [TEMPLATE_ID]: { count: 0, clearedAt: "2026-11-18T03:00:00Z" } },
    };

    // Act
    const late = applyEventToProfile(cleared, granted("2026-11-18T02:00:00Z", 1, "g-late"));
    const after = applyEventToProfile(cleared, granted("2026-11-18T04:00:00Z", 1, "g-new"));

    // Assess
    expect(late).toBeUndefined();
    expect(after?.wechatGrants?.[TEMPLATE_ID]?.count).toBe(1);
  });

  it("lets a message go on a grant, the next without one, and a retried decision on the grant it took", () => {
    // Prepare
    const profile: Profile = { ...emptyProfile("u1"), wechatGrants: { [TEMPLATE_ID]: { count: 1 } } };
    const used: GrantUse[] = [];

    // Act
    const first = wechatVerdict({ channel: "wechat", messageId: "r1:1:message", params }, profile, used);
    const second = wechatVerdict({ channel: "wechat", messageId: "r2:1:message", params }, profile, used);
    const after = profileWithGrantsUsed(profile, used);
    const retried = wechatVerdict({ channel: "wechat", messageId: "r1:1:message", params }, after, []);
    const onPush = wechatVerdict({ channel: "push", messageId: "r3:1:message", params }, after, []);

    // Assess
    expect(first).toBeUndefined();
    expect(second).toEqual({ reason: "no-subscription-grant", rule: `wechat-grant:${TEMPLATE_ID}` });
    expect(after.wechatGrants?.[TEMPLATE_ID]).toEqual({ count: 0, used: ["r1:1:message"] });
    expect(retried).toBeUndefined();
    expect(onPush).toBeUndefined();
  });
});

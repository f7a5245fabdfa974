import { describe, expect, it } from "vitest";
import { ENTRIES_PER_WAKE_UP, PROFILE_WAKE_UP } from "../../functions/engine/model.ts";
import { decodeIngestRecord } from "../../functions/handlers/ingest-records.ts";
import { RejectedRecordError } from "../../functions/handlers/records.ts";
import { encodeWakeUp, raisedOccurrenceBody } from "../../functions/handlers/wire.ts";
import { runWakeUp } from "../engine/fixtures.ts";
import { bridgeEvent, sqsRecord } from "./lambda.ts";

const attributes = (encoded: ReturnType<typeof encodeWakeUp>) => ({
  "nudge-kind": { stringValue: encoded.MessageAttributes["nudge-kind"].StringValue, dataType: "String" },
});

describe("ingest records", () => {
  it("reads an event a journey emitted, sent straight to the ingest queue, with the engine's own id", () => {
    // Prepare
    const detail = { userId: "u-1", couponId: "cpn_1", code: "NEW1", amountOff: 20, expiresAt: "2026-11-25T02:14:14Z" };
    const event = bridgeEvent("coupon.issued", detail, { source: "nudge", id: "new-user-coupon:u-1:1:1:coupon" });
    // Act
    const input = decodeIngestRecord(sqsRecord(event), 32_768);
    // Assess
    expect(input).toMatchObject({ type: "event", event: { id: "new-user-coupon:u-1:1:1:coupon", detail } });
  });

  it("reads a wake-up as the tick encodes it", () => {
    // Prepare
    const wakeUp = runWakeUp("u-1", Date.parse("2026-11-19T02:14:14Z"));
    const encoded = encodeWakeUp(wakeUp);
    // Act
    const input = decodeIngestRecord(sqsRecord(encoded.MessageBody, { attributes: attributes(encoded) }), 1024);
    // Assess
    expect(input).toEqual({ type: "wake-up", wakeUp });
  });

  it("reads a profile's wake-up as the tick encodes it", () => {
    // Prepare: the wake-up a rolling window's end arms for a user (functions/engine/segments/review.ts).
    const wakeUp = { kind: "profile" as const, journeyId: PROFILE_WAKE_UP, key: "u-1", at: "2026-12-19T02:14:14Z" };
    const encoded = encodeWakeUp(wakeUp);
    // Act
    const input = decodeIngestRecord(sqsRecord(encoded.MessageBody, { attributes: attributes(encoded) }), 1024);
    // Assess
    expect(input).toEqual({ type: "wake-up", wakeUp });
  });

  it("reads a campaign's entries for a group of members as the tick encodes it, and refuses an empty or oversized group", () => {
    // Prepare
    const wakeUp = {
      kind: "entries" as const,
      journeyId: "member-day",
      key: "@campaign:u-1",
      at: "2026-12-04T02:00:00Z",
      occurrence: "2026-12-04T10:00",
      members: ["u-1", "u-2"],
    };
    const read = (members: string[]) => {
      const encoded = encodeWakeUp({ ...wakeUp, members });
      return () => decodeIngestRecord(sqsRecord(encoded.MessageBody, { attributes: attributes(encoded) }), 1e6);
    };
    // Act / Assess
    expect(read(wakeUp.members)()).toEqual({ type: "wake-up", wakeUp });
    expect(read([])).toThrow(RejectedRecordError);
    expect(read(Array.from({ length: ENTRIES_PER_WAKE_UP + 1 }, (_, i) => `u-${i}`))).toThrow(RejectedRecordError);
  });

  it("reads the occurrence EventBridge Scheduler sends for a campaign (no message attribute: its body names it)", () => {
    // Prepare: the body lib/campaigns.ts gives each schedule, its context attribute filled in by Scheduler.
    const body = raisedOccurrenceBody("member-day", "2026-12-03T20:00:00Z");
    const badTime = raisedOccurrenceBody("member-day", "<aws.scheduler.scheduled-time>");
    // Act
    const input = decodeIngestRecord(sqsRecord(body), 1024);
    const decodeBad = () => decodeIngestRecord(sqsRecord(badTime), 1024);
    // Assess
    expect(input).toEqual({
      type: "raised-occurrence",
      journeyId: "member-day",
      at: Date.parse("2026-12-03T20:00:00Z"),
    });
    expect(decodeBad).toThrow(RejectedRecordError);
    expect(decodeBad).toThrow("at: expected an ISO 8601 UTC instant, such as 2026-12-04T02:00:00Z");
  });

  it("rejects an event failing its schema with every problem, quoting none of the event's own values", () => {
    // Prepare
    const event = bridgeEvent(
      "order.placed",
      { userId: "u-1", orderId: "o-1", amount: "99", currency: "yuan", phone: "+8613800138000" },
      { id: "evt-9" },
    );
    // Act
    const decode = () => decodeIngestRecord(sqsRecord(event), 32_768);
    // Assess
    expect(decode).toThrow(RejectedRecordError);
    expect(decode).toThrow(
      [
        "event evt-9: detail.amount: expected a number, got (a string of 2 characters)",
        'event evt-9: detail.currency: (a string of 4 characters) is not an ISO 4217 currency code (three capital letters, e.g. "CNY")',
      ].join("\n"),
    );
  });
});

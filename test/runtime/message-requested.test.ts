import { describe, expect, it } from "vitest";
import { parseEvent, type ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { requestableMessages, requestProblems } from "../../functions/journey/requests.ts";
import { readUserJournal } from "../../functions/runtime/user-journal.ts";
import { harness, shopEvent } from "../engine/fixtures.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";

// The shipped journey of one-off service messages, as the platform loads it (templates from their files).
const journeys = loadSeedJourneys().filter((journey) => journey.id === "message-requested");
const requestable = requestableMessages(journeys);
const NOW = "2026-11-12T14:30:00Z"; // 22:30 in Shanghai: in the default quiet hours, which hold no service message

/** An event as the ingest function reads it: checked by the catalog, which gives a request its id. */
function checked(event: ShopEvent): ShopEvent {
  const result = parseEvent(event);
  if (!result.ok) throw result.error;
  return result.event;
}

const shipped = (userId: string, id: string) =>
  checked(
    shopEvent(
      "message.requested",
      NOW,
      {
        userId,
        template: "order-shipped",
        channel: "push",
        data: { orderId: "SO-1", carrier: "顺丰速运", trackingNumber: "SF1234567890" },
      },
      id,
    ),
  );

const messagesOf = (effects: JourneyEffect[]) =>
  effects.flatMap((effect) => (effect.type === "message.sent" ? [effect] : []));

describe("message.requested: a one-off service message through the message-requested journey", () => {
  it("renders the template from the request's data on the channel asked for, a service message that needs consent", async () => {
    // Prepare: the default policies (quiet hours from 22:00 in Shanghai).
    const { runtime, delivered } = harness(new JourneyCatalog(journeys), undefined, undefined);
    // Act
    await runtime.handleEvent(shipped("u-1", "req-1"), Date.parse(NOW));
    // Assess
    expect(messagesOf(delivered)).toEqual([
      expect.objectContaining({
        journey: "message-requested",
        user: "u-1",
        channel: "push",
        template: "order-shipped",
        category: "service",
        consent: "required",
        title: "您的订单已发货",
        text: "订单 SO-1 已由顺丰速运发出，运单号 SF1234567890。",
      }),
    ]);
  });

  it("sends each request once, however often it is delivered, and the next request of the same user too", async () => {
    // Prepare
    const { runtime, delivered } = harness(new JourneyCatalog(journeys));
    const first = shipped("u-1", "req-1");
    // Act: the first request delivered three times, a second one between the redeliveries.
    await runtime.handleEvent(first, Date.parse(NOW));
    await runtime.handleEvent(first, Date.parse(NOW) + 1_000);
    await runtime.handleEvent(shipped("u-1", "req-2"), Date.parse(NOW) + 2_000);
    await runtime.handleEvent(first, Date.parse(NOW) + 3_000);
    // Assess: two messages, one per request (the event's id its key), with ids of their own.
    const messages = messagesOf(delivered);
    expect(messages).toHaveLength(2);
    expect(new Set(messages.map((message) => message.id)).size).toBe(2);
  });

  it("suppresses the request of a user who unsubscribed from the channel, with its reason, and journals it for `nudge why`", async () => {
    // Prepare
    const { runtime, store, delivered } = harness(new JourneyCatalog(journeys));
    await runtime.handleEvent(
      shopEvent("user.unsubscribed", "2026-11-01T00:00:00Z", { userId: "u-2", channel: "push" }),
      Date.parse("2026-11-01T00:00:00Z"),
    );
    // Act
    await runtime.handleEvent(shipped("u-2", "req-3"), Date.parse(NOW));
    // Assess
    expect(messagesOf(delivered)).toEqual([]);
    const { entries } = await readUserJournal(store, "u-2", journeys);
    expect(entries).toContainEqual(
      expect.objectContaining({
        type: "message.suppressed",
        journey: "message-requested",
        template: "order-shipped",
        reason: "unsubscribed",
      }),
    );
  });

  it("refuses at the door a template no request journey sends, a channel it does not go on, and a request with no user", () => {
    // Prepare
    const request = (detail: Record<string, unknown>) => shopEvent("message.requested", NOW, detail, "req-x");
    // Act
    const unknown = requestProblems(request({ userId: "u-1", template: "welcome", channel: "push" }), requestable);
    const wrongChannel = requestProblems(
      request({ userId: "u-1", template: "pickup-code", channel: "push" }),
      requestable,
    );
    const noUser = parseEvent(request({ template: "order-shipped", channel: "push" }));
    const fine = requestProblems(request({ userId: "u-1", template: "order-shipped", channel: "sms" }), requestable);
    // Assess
    expect(unknown).toEqual([
      {
        path: "detail.template",
        message: 'unknown template "welcome" (may be requested: "order-shipped", "pickup-code")',
      },
    ]);
    expect(wrongChannel).toEqual([
      { path: "detail.channel", message: 'template "pickup-code" cannot go on "push" (it goes on "sms")' },
    ]);
    expect(noUser.ok ? [] : noUser.error.problems).toEqual([
      { path: "detail.userId", message: "required field is missing" },
    ]);
    expect(fine).toEqual([]);
  });
});

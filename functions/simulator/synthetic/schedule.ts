import type { ShopEvent } from "../../../events/catalog.ts";
import { SHOP_MIX } from "./mix.ts";
import type { DeliveryQueue, SyntheticEvent } from "./queue.ts";
import type { Draw } from "./random.ts";
import { HOUR, isoSeconds, MINUTE } from "./time.ts";

const ENVELOPE = { version: "0", source: "shop", account: "123456789012", region: "cn-north-1" } as const;

/** Where a timeline is planned: the draws, the queue, and the end of the period (events after it are left out). */
export interface Plan {
  draw: Draw;
  queue: DeliveryQueue;
  endMs: number;
}

/** Puts an event on the queue (if it happens within the period), with its duplicate, delay or broken copy. */
export function schedule(plan: Plan, at: number, type: string, detail: Record<string, unknown>): void {
  if (at >= plan.endMs) return;
  const { draw, queue } = plan;
  const event: ShopEvent = {
    version: ENVELOPE.version,
    id: draw.uuid(),
    "detail-type": type,
    source: ENVELOPE.source,
    account: ENVELOPE.account,
    time: isoSeconds(at),
    region: ENVELOPE.region,
    resources: [],
    detail,
  };
  let deliverAt = at;
  if (draw.chance(SHOP_MIX.delayed)) {
    deliverAt = at + Math.round(draw.between(MINUTE, 6 * HOUR));
    queue.push(deliverAt, { event, delayed: true });
  } else {
    queue.push(deliverAt, { event });
  }
  if (draw.chance(SHOP_MIX.duplicate)) {
    queue.push(deliverAt + Math.round(draw.between(1000, 2 * HOUR)), { event, duplicate: true });
  }
  if (draw.chance(SHOP_MIX.invalid)) queue.push(deliverAt, broken(event, draw));
}

/** A copy of an event (new id) with one thing wrong that the catalog rejects. */
function broken(event: ShopEvent, draw: Draw): SyntheticEvent {
  const copy: ShopEvent = { ...event, id: draw.uuid(), detail: { ...event.detail } };
  const type = event["detail-type"];
  const flaws: string[] = ["time without a zone", "empty id", "missing key field"];
  if (type === "order.placed") flaws.push("lower-case currency", "negative amount");
  if (type === "user.registered") flaws.push("unknown time zone");
  if (type === "review.posted") flaws.push("rating out of range");
  const flaw = flaws[Math.floor(draw.next() * flaws.length)] ?? "empty id";
  switch (flaw) {
    case "time without a zone":
      copy.time = copy.time.replace("T", " ").replace("Z", "");
      break;
    case "empty id":
      copy.id = "";
      break;
    case "missing key field":
      if ("userId" in copy.detail) delete copy.detail.userId;
      else delete copy.detail.promotionId;
      break;
    case "lower-case currency":
      copy.detail.currency = "cny";
      break;
    case "negative amount":
      copy.detail.amount = -1;
      break;
    case "unknown time zone":
      copy.detail.timezone = "Mars/Olympus_Mons";
      break;
    case "rating out of range":
      copy.detail.rating = 9;
      break;
  }
  return { event: copy, flaw };
}

import type { ShopEvent } from "../../events/catalog.ts";
import { type Journey, type JourneyInput, journeySchema } from "../../functions/journey/schema.ts";

/** A journey from a partial definition, through the real schema (defaults applied, validation run). */
export function journey(overrides: Partial<JourneyInput> & Pick<JourneyInput, "steps" | "start">): Journey {
  return journeySchema.parse({
    id: "test-journey",
    version: 1,
    name: "Test journey",
    trigger: { type: "event", pattern: { "detail-type": ["user.registered"] } },
    templates: { hello: { "zh-CN": "你好 {{ profile.userId }}" } },
    ...overrides,
  });
}

let counter = 0;
export function shopEvent(type: string, time: string, detail: Record<string, unknown>, id?: string): ShopEvent {
  counter += 1;
  return { id: id ?? `evt-${counter}`, source: "shop", "detail-type": type, time, detail };
}

export const at = (iso: string) => Date.parse(iso);

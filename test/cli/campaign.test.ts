import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { main } from "../../functions/cli/main.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { loadSeedJourneys, platformPolicies, platformTraits } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { capture } from "./capture-io.ts";

const event = (type: string, id: string, detail: Record<string, unknown>): ShopEvent => ({
  id,
  source: "shop",
  "detail-type": type,
  time: "2026-11-18T02:00:00Z",
  detail,
});

describe("nudge campaign preview", () => {
  it("forecasts member day's next occurrence from a table: audience, entries, messages, coupons, samples", async () => {
    // Prepare: two silver members in Shanghai on a table, set up as the platform sets them up.
    const { endpoint, tableName, client } = await freshTable();
    const store = new DynamoDbStore(client, { tableName });
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog(loadSeedJourneys()),
      store,
      policies: platformPolicies(),
      traits: await platformTraits(),
      sink: { deliver: () => undefined },
      publisher: { publish: () => undefined },
    });
    const at = Date.parse("2026-11-18T02:00:00Z");
    for (const userId of ["u-1", "u-2"]) {
      await runtime.handleEvent(
        event("user.registered", `r-${userId}`, { userId, locale: "zh-CN", timezone: "Asia/Shanghai" }),
        at,
      );
      await runtime.handleEvent(
        event("order.placed", `o-${userId}`, { userId, orderId: `o-${userId}`, amount: 600, currency: "CNY" }),
        at,
      );
    }
    await runtime.flush();
    const io = capture();
    const source = ["--table", tableName, "--dynamodb-endpoint", endpoint];

    // Act
    const code = await main(
      ["campaign", "preview", "member-day", ...source, "--at", "2026-11-18T03:00:00Z", "--rate", "100"],
      io,
    );
    const typo = capture();
    const typoCode = await main(["campaign", "preview", "member-dya", ...source], typo);

    // Assess: Friday 20 November's occurrence; one of the two may be in the 5% holdout.
    expect(code).toBe(0);
    expect(io.out[1]).toBe("member-day at 2026-11-20T10:00: 2 members of its segment now");
    expect(
      io.out.some((line) => /^ {2}coupons: [12] issued, (10|20) off in all; withheld for the budget: 0$/.test(line)),
    ).toBe(true);
    expect(io.out.some((line) => line.startsWith("  sample to u-") && line.includes("会员日"))).toBe(true);
    expect(
      io.out.some((line) =>
        /^ {2}budget 2026-11-20: 200,000 of 200,000 left before the send, 199,9[89]0 after it$/.test(line),
      ),
    ).toBe(true);
    expect(typoCode).toBe(2);
    expect(typo.err.join("\n")).toContain('no campaign with a schedule "member-dya" (did you mean "member-day"?)');
  });
});

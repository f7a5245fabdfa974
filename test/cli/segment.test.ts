import { describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { event, loadSeedJourneys, platformPolicies, platformTraits } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { capture } from "./capture-io.ts";

const T0 = "2026-09-01T02:00:00Z";
const order = (user: string, amount: number) =>
  event("order.placed", T0, { userId: user, orderId: `o-${user}`, amount, currency: "CNY" }, `order-${user}`);

/** A table on which three users are silver and above and one is not, as the platform left it. */
async function shopTable() {
  const { endpoint, tableName, client } = await freshTable();
  const store = new DynamoDbStore(client, { tableName });
  await simulate({
    journeys: loadSeedJourneys(),
    lines: [order("u_a", 600), order("u_b", 2500), order("u_c", 100), order("u_d", 800)],
    policies: platformPolicies(),
    traits: await platformTraits(),
    store,
    until: Date.parse("2026-09-02T00:00:00Z"),
  });
  return ["--table", tableName, "--dynamodb-endpoint", endpoint];
}

describe("nudge segment", () => {
  it("lists the shipped segments with their members, counts one, and samples its members", async () => {
    // Prepare
    const table = await shopTable();
    const listed = capture();
    const counted = capture();
    const sampled = capture();

    // Act
    const codes = [
      await main(["segment", "list", ...table], listed),
      await main(["segment", "count", "silver-and-above", ...table], counted),
      await main(["segment", "sample", "silver-and-above", "--limit", "2", "--format", "json", ...table], sampled),
    ];

    // Assess
    expect(codes).toEqual([0, 0, 0]);
    expect(listed.out.slice(1)).toEqual([
      expect.stringMatching(/^segment +members +name$/),
      expect.stringMatching(/^at-risk +0 +流失风险用户$/),
      expect.stringMatching(/^cart-or-favorite-30d +0 +/),
      expect.stringMatching(/^champions +0 +/),
      expect.stringMatching(/^silver-and-above +3 +银卡及以上会员$/),
    ]);
    expect(counted.out).toEqual(["silver-and-above: 3 members"]);
    const sample = JSON.parse(sampled.out[0] ?? "{}") as { members: { userId: string; since: string }[] };
    expect(sample.members).toHaveLength(2);
    for (const member of sample.members) {
      expect(["u_a", "u_b", "u_d"]).toContain(member.userId);
      expect(member.since).toBe(T0);
    }
  });

  it("refuses a segment that is not defined, suggesting the nearest", async () => {
    // Prepare
    const table = await shopTable();
    const io = capture();

    // Act
    const code = await main(["segment", "count", "champion", ...table], io);

    // Assess
    expect(code).toBe(2);
    expect(io.err[0]).toMatch(/no segment "champion" in journeys\/segments\/ \(did you mean "champions"\?\)/);
  });

  it("shows the user's traits and segments in nudge why", async () => {
    // Prepare
    const table = await shopTable();
    const io = capture();

    // Act
    const code = await main(["why", "u_b", ...table], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out).toContain("segments: silver-and-above");
    const traits = io.out.find((line) => line.startsWith("traits: "));
    expect(traits).toContain("spendTotal 2500");
    expect(traits).toContain("growthTier gold");
  });
});

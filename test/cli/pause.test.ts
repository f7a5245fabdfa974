import { describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { newRecord } from "../../functions/engine/decide.ts";
import { setPaused } from "../../functions/runtime/control-cache.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { SEED_JOURNEY_IDS } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { capture } from "./capture-io.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");

/** A platform's table (dynalite) and the CLI's options naming it; the journeys are the repository's journeys/. */
async function platformTable() {
  const { endpoint, tableName, client } = await freshTable();
  const where = ["--table", tableName, "--dynamodb-endpoint", endpoint];
  const run = async (...args: string[]) => {
    const io = capture();
    const code = await main([...args, ...where], io);
    return { code, out: io.out, err: io.err };
  };
  const store = new DynamoDbStore(client, { tableName });
  const controls = async () => (await store.getControls({ consistent: true })).map((c) => c.value);
  return { run, store, controls };
}

describe("nudge pause and resume refuse a journey that does not exist", () => {
  it("refuses a typo with exit 2 and the nearest id, writing nothing, and pauses the real journey", async () => {
    // Prepare
    const p = await platformTable();
    // Act
    const typo = await p.run("pause", "new-user-cupon", "--reason", "wrong coupon");
    const afterTypo = await p.controls();
    const real = await p.run("pause", "new-user-coupon", "--reason", "wrong coupon");
    // Assess
    expect(typo.code).toBe(2);
    expect(typo.err).toEqual([
      expect.stringMatching(
        /^nudge pause: no journey "new-user-cupon" in .*journeys or table nudge-test-.*\(did you mean "new-user-coupon"\?\); nothing paused$/,
      ),
    ]);
    expect(typo.out).toEqual([]);
    expect(afterTypo).toEqual([]);
    expect(real.code).toBe(0);
    expect((await p.controls()).map((c) => [c.journeyId, c.paused])).toEqual([["new-user-coupon", true]]);
  });

  it("refuses to resume an id that no journey has and that was never paused", async () => {
    // Prepare
    const p = await platformTable();
    // Act
    const result = await p.run("resume", "onboarding-guid");
    // Assess
    expect(result.code).toBe(2);
    expect(result.err[0]).toContain('(did you mean "onboarding-guide"?); nothing resumed');
    expect(await p.controls()).toEqual([]);
  });

  it("shows no phantom journey in status, and lets the phantom an older version paused be resumed", async () => {
    // Prepare: a typo paused by a version that took any id (the incident): a control and nothing else.
    const p = await platformTable();
    await setPaused(p.store, "new-user-cupon", { paused: true, reason: "typo", by: "cli:ops", now: T0 });
    // Act
    const status = await p.run("status", "--format", "json");
    const resumed = await p.run("resume", "new-user-cupon");
    // Assess
    expect(status.code).toBe(0);
    const rows = (JSON.parse(status.out[0] ?? "{}") as { journeys: { journeyId: string }[] }).journeys;
    // One row per journey of journeys/ (each once, whatever versions it keeps), and none for the typo.
    expect(rows.map((row) => row.journeyId)).toEqual([...SEED_JOURNEY_IDS]);
    expect(resumed.code).toBe(0);
    expect((await p.controls()).map((c) => [c.journeyId, c.paused])).toEqual([["new-user-cupon", false]]);
  });

  it("pauses a journey whose file is gone but whose runs are still in the platform's state", async () => {
    // Prepare: a run of a journey retired from journeys/ (its version's runs go on until they end).
    const p = await platformTable();
    await p.store.putRecord(newRecord("autumn-sale", "u-1"), undefined);
    // Act
    const result = await p.run("pause", "autumn-sale", "--reason", "retired");
    // Assess
    expect(result.code).toBe(0);
    expect((await p.controls()).map((c) => [c.journeyId, c.paused])).toEqual([["autumn-sale", true]]);
  });
});

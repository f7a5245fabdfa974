import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { decodeIngestRecord } from "../../functions/handlers/ingest-records.ts";
import { createTickHandler, tickDependencies } from "../../functions/handlers/tick.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { runWakeUp } from "../engine/fixtures.ts";
import { freshTable } from "../setup/dynalite.ts";
import { captureOutput, lambdaContext, logLines, metricSum, sqsRecord } from "./lambda.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");
const SEC = 1000;
const MIN = 60 * SEC;

const mocks: { restore(): void }[] = [];
afterEach(() => {
  for (const mock of mocks.splice(0)) mock.restore();
});

/** The tick's real handler over dynalite; the wake-up queue (SQS SendMessageBatch) mocked. */
async function ticker(env: Record<string, string> = {}) {
  const { client, tableName } = await freshTable();
  const sqs = new SQSClient({ region: "cn-north-1" });
  const sqsMock = mockClient(sqs);
  mocks.push(sqsMock);
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  // Wake-ups are scheduled 8 minutes before T0: under their own due time (past clock + lookahead + settle).
  const clock = { now: T0 - 8 * MIN };
  const deps = tickDependencies(
    { TABLE_NAME: tableName, WAKE_UP_QUEUE_URL: "https://sqs.cn-north-1.amazonaws.com.cn/1/wake-ups", ...env },
    { dynamodb: client, sqs, clock: () => clock.now },
  );
  const handler = createTickHandler(deps);
  // The runtime's side of the table, as the ingest function has it (same settle time, same clock).
  const lookaheadMs = Number(env.LOOKAHEAD_SECONDS ?? "300") * SEC;
  const runtimeStore = new DynamoDbStore(client, { tableName, settleMs: MIN, lookaheadMs, clock: () => clock.now });
  return {
    clock,
    sqsMock,
    runtimeStore,
    run: (scheduledAt = clock.now, context = lambdaContext) =>
      captureOutput(() => handler({ time: new Date(scheduledAt).toISOString() }, context)),
    entries: () => sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []),
  };
}

describe("tick handler", () => {
  it("hands the wake-ups due within the lookahead to the wake-up queue, each delayed until due, and reports its lateness", async () => {
    // Prepare: 12 wake-ups, one 90 s late, the others due within the next 5 minutes, and one beyond.
    const t = await ticker();
    const late = runWakeUp("late", T0 - 90 * SEC);
    const soon = Array.from({ length: 11 }, (_, i) => runWakeUp(`soon-${i}`, T0 + (i + 1) * 20 * SEC));
    const later = runWakeUp("later", T0 + 10 * MIN);
    for (const wakeUp of [late, ...soon, later]) await t.runtimeStore.scheduleWakeUp(wakeUp);
    // Act: the tick scheduled for T0 runs 2 s later.
    t.clock.now = T0 + 2 * SEC;
    const { result, lines } = await t.run(T0);
    // Assess
    const entries = t.entries();
    expect(
      entries.map((e) => decodeIngestRecord(sqsRecord(e.MessageBody, { attributes: attributesOf(e) }), 1e6)),
    ).toEqual([late, ...soon].map((wakeUp) => ({ type: "wake-up", wakeUp })));
    expect(entries.map((e) => e.DelaySeconds)).toEqual([0, ...soon.map((_, i) => (i + 1) * 20 - 2)]);
    expect(t.sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([
      10, 2,
    ]);
    expect(result).toEqual({ handedOn: 12, batches: 2, late: 1, maxLatenessMs: 92 * SEC });
    expect(metricSum(lines, "TickLateness")).toBe(92 * SEC);
    expect(metricSum(lines, "TickScheduleDelay")).toBe(2 * SEC);
    expect(metricSum(lines, "WakeUpsHandedOn")).toBe(12);
    expect(logLines(lines, "INFO")).toEqual([expect.objectContaining({ message: "tick", handedOn: 12, late: 1 })]);
    // What lies beyond the lookahead waits for a later tick.
    t.clock.now = T0 + 11 * MIN;
    expect(await t.runtimeStore.takeDueWakeUps(T0 + 11 * MIN, 10)).toEqual([later]);
  });

  it("reports zero lateness when nothing is due, so the tick-lateness alarm sees a running tick", async () => {
    // Prepare
    const t = await ticker();
    t.clock.now = T0;
    // Act
    const { result, lines } = await t.run();
    // Assess
    expect(result).toEqual({ handedOn: 0, batches: 0, late: 0, maxLatenessMs: 0 });
    expect(t.entries()).toEqual([]);
    expect(metricSum(lines, "TickLateness")).toBe(0);
  });

  it("leaves a batch SQS partly refuses due and fails; the next tick hands it on again, stale repeats and all", async () => {
    // Prepare: SQS refuses one entry of every batch, three times over.
    const t = await ticker({ LOOKAHEAD_SECONDS: "0" });
    const due = [runWakeUp("a", T0 - 5 * SEC), runWakeUp("b", T0 - 4 * SEC)];
    for (const wakeUp of due) await t.runtimeStore.scheduleWakeUp(wakeUp);
    t.clock.now = T0;
    t.sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.slice(1).map((e) => ({ Id: e.Id, MessageId: "m", MD5OfMessageBody: "" })),
      Failed: input.Entries.slice(0, 1).map((e) => ({ Id: e.Id, Code: "InternalError", SenderFault: false })),
    }));
    // Act
    const failed = await t.run().catch((error: unknown) => error);
    t.sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    t.sqsMock.resetHistory();
    t.clock.now += MIN;
    const next = await t.run();
    // Assess
    expect(failed).toMatchObject({
      name: "HandOnError",
      message: "1 wake-ups not queued after 3 attempts",
    });
    // The batch is taken off the store only once all of it went out: "b", which did, goes again (stale then).
    expect(next.result.handedOn).toBe(2);
    expect(t.entries().map((e) => JSON.parse(e.MessageBody ?? "").key)).toEqual(["a", "b"]);
  });
});

describe("tick handler near its timeout", () => {
  it("stops taking wake-ups before the function times out, leaving the rest for the next tick", async () => {
    // Prepare: 15 due wake-ups, and an invocation with 10.5 s left (the tick stops 10 s before the end)
    // whose first hand-on takes 0.8 s; one send in flight at a time (it stops between waves of sends).
    const t = await ticker({ LOOKAHEAD_SECONDS: "0", WAKE_UP_SENDS_IN_FLIGHT: "1" });
    const due = Array.from({ length: 15 }, (_, i) => runWakeUp(`k-${i}`, T0 - (20 - i) * SEC));
    for (const wakeUp of due) await t.runtimeStore.scheduleWakeUp(wakeUp);
    t.sqsMock.on(SendMessageBatchCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      return { Successful: [], Failed: [] };
    });
    const nearTimeout = { ...lambdaContext, getRemainingTimeInMillis: () => 10_500 };
    t.clock.now = T0;
    // Act: the next tick runs a minute later (what the first could not hand on is written for then).
    const first = await t.run(T0, nearTimeout);
    t.clock.now = T0 + MIN;
    const second = await t.run(T0 + MIN);
    // Assess
    expect(first.result.handedOn).toBe(10);
    expect(second.result.handedOn).toBe(5);
    expect(new Set(t.entries().map((e) => JSON.parse(e.MessageBody ?? "").key)).size).toBe(15);
  });
});

function attributesOf(entry: { MessageAttributes?: Record<string, { StringValue?: string; DataType?: string }> }) {
  return Object.fromEntries(
    Object.entries(entry.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      { stringValue: value.StringValue ?? "", dataType: value.DataType ?? "String" },
    ]),
  );
}

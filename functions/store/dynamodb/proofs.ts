import { createHash } from "node:crypto";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Hand-on proofs (HandOnProofStore) and the user's index of runs (UserRunIndex).
 *
 * A proof is one item per batch of inputs, `PROOF#<key>` / `PROOF`, holding a string set of digests of the
 * outboxes the batch handed on: 12 hex characters each, so a batch of 100 stays one write unit. A digest
 * collision could only make an outbox of the same batch key look proven; at 48 bits within one batch,
 * that is never. Items expire with the journal's retention (TTL).
 */

/** An outbox id's digest in its proof. */
export function proofDigest(id: string): string {
  return createHash("sha256").update(id).digest("hex").slice(0, 12);
}

/** One UpdateItem: ADD to the set, so a repeat, or two writers of one key, lose nothing. */
export async function proveHandedOn(
  table: TableClient,
  request: { proof: string; ids: readonly string[]; ttl: number },
): Promise<void> {
  if (request.ids.length === 0) return;
  await table.update("proveHandedOn", {
    Key: keys.proof(request.proof),
    UpdateExpression: "ADD ids :ids SET #ttl = if_not_exists(#ttl, :ttl)",
    ExpressionAttributeNames: { "#ttl": "ttl" },
    ExpressionAttributeValues: { ":ids": new Set(request.ids.map(proofDigest)), ":ttl": request.ttl },
  });
}

/** A GetItem of the proof (eventually consistent: a miss only hands an outbox on again). */
export async function isHandedOn(table: TableClient, proof: string, id: string): Promise<boolean> {
  const output = await table.get("isHandedOn", { Key: keys.proof(proof), ProjectionExpression: "ids" });
  const ids = output.Item?.ids;
  return ids instanceof Set && ids.has(proofDigest(id));
}

/**
 * The runs indexed as items of their own, `USER#<id>` / `RUNOF#<journey>#<key>` (with a TTL), before the
 * user's item kept them (UserState.runs): still read until they expire.
 */
export async function userRuns(table: TableClient, userId: string): Promise<{ journeyId: string; key: string }[]> {
  const runs: { journeyId: string; key: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await table.query("userRuns", {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.user(userId).pk, ":prefix": keys.userRunPrefix },
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of output.Items ?? [])
      if (typeof item.journeyId === "string" && typeof item.key === "string")
        runs.push({ journeyId: item.journeyId, key: item.key });
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return runs;
}

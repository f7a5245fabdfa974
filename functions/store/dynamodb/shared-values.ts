import type { Versioned } from "../../runtime/ports.ts";
import { ConcurrencyError } from "../../shared/errors.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * A value every instance shares, `SHARED#<key>` / `SHARED`: `rev` and the value in `doc`, as a map. Small
 * (an access token and its lease): read with GetItem, replaced with one conditional PutItem on `rev`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export async function getShared(
  table: TableClient,
  key: string,
  consistent: boolean,
): Promise<Versioned<Record<string, unknown>> | undefined> {
  const output = await table.get("getShared", { Key: keys.shared(key), ConsistentRead: consistent });
  const item = output.Item;
  if (item === undefined || typeof item.rev !== "number") return undefined;
  return { value: (item.doc ?? {}) as Record<string, unknown>, revision: item.rev };
}

export async function putShared(
  table: TableClient,
  request: { key: string; value: Record<string, unknown>; expectedRevision: number | undefined },
): Promise<number> {
  const { key, value, expectedRevision } = request;
  const revision = (expectedRevision ?? 0) + 1;
  try {
    await table.put("putShared", {
      Item: { ...keys.shared(key), rev: revision, doc: value },
      ConditionExpression: expectedRevision === undefined ? "attribute_not_exists(pk)" : "rev = :expected",
      ...(expectedRevision === undefined ? {} : { ExpressionAttributeValues: { ":expected": expectedRevision } }),
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw new ConcurrencyError(
      `shared value ${key}: expected revision ${expectedRevision ?? "none"}, another write came first`,
      {
        cause: error,
      },
    );
  }
  return revision;
}

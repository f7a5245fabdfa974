import { MODEL_VERSION, type Outbox, type Profile, type SentMessage } from "../../engine/model.ts";
import type { RunOfUser, UserState, Versioned } from "../../runtime/ports.ts";
import { ConcurrencyError } from "../../shared/errors.ts";
import { isConditionFailure } from "./errors.ts";
import { decodeJson, encodedAttribute, storedForms } from "./records.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * A user's item, `USER#<id>` / `PROFILE`: `rev`, `mv`, the profile in `doc` (or deflated, `z1doc`), the
 * recent sends in `sends` (or `z1sends`), the runs keyed otherwise in `runs` (or `z1runs`) and the profile
 * review's events not yet removed in `outbox` (or `z1outbox`). One item, so
 * that an input that changes the profile, reserves a send and indexes a run pays one write unit for all,
 * and one read gives a decision everything it needs of the user.
 */
export async function getUser(
  table: TableClient,
  userId: string,
  consistent: boolean,
): Promise<Versioned<UserState> | undefined> {
  const output = await table.get("getUser", { Key: keys.user(userId), ConsistentRead: consistent });
  const item = output.Item;
  if (item === undefined || typeof item.rev !== "number") return undefined;
  const profile = decodeJson(item, "doc") as Profile | undefined;
  const sends = decodeJson(item, "sends") as SentMessage[] | undefined;
  const runs = decodeJson(item, "runs") as RunOfUser[] | undefined;
  const outbox = decodeJson(item, "outbox") as Outbox | undefined;
  const value: UserState = {};
  if (profile) value.profile = profile;
  if (sends) value.sends = sends;
  if (runs) value.runs = runs;
  if (outbox) value.outbox = outbox;
  return { value, revision: item.rev };
}

/** Users' profiles, a BatchGetItem per 100 (the profile's attributes alone), in the order asked. */
export async function getProfiles(
  table: TableClient,
  userIds: readonly string[],
  consistent: boolean,
): Promise<(Profile | undefined)[]> {
  const names = Object.fromEntries(["pk", ...storedForms("doc")].map((name) => [`#${name}`, name]));
  const items = await table.getAll(
    "getProfiles",
    userIds.map((userId) => keys.user(userId)),
    {
      ProjectionExpression: Object.keys(names).join(", "),
      ExpressionAttributeNames: names,
      ConsistentRead: consistent,
    },
  );
  const byKey = new Map(items.map((item) => [String(item.pk), decodeJson(item, "doc") as Profile | undefined]));
  return userIds.map((userId) => byKey.get(keys.user(userId).pk));
}

/**
 * One conditional UpdateItem: sets the parts given (each in its plain or deflated form, the other form
 * removed) and the revision; a part left out is not touched. Billed by the larger of the item before and
 * after: one write unit while profile and sends stay under 1 KB, deflated.
 */
export async function putUser(
  table: TableClient,
  request: { userId: string; parts: UserState; expectedRevision: number | undefined },
): Promise<number> {
  const { userId, parts, expectedRevision } = request;
  const revision = (expectedRevision ?? 0) + 1;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":rev": revision, ":mv": MODEL_VERSION };
  const sets = ["rev = :rev", "mv = :mv"];
  const removes: string[] = [];
  for (const [name, value] of [
    ["doc", parts.profile],
    ["sends", parts.sends],
    ["runs", parts.runs],
    ["outbox", parts.outbox],
  ] as const) {
    if (value === undefined) continue;
    // Every other form the part may be in goes: a part written as JSON once is deflated once it grows.
    const [attribute, encoded] = value === null ? [undefined, undefined] : encodedAttribute(name, value);
    for (const form of storedForms(name)) {
      names[`#${form}`] = form;
      if (form !== attribute) removes.push(`#${form}`);
    }
    if (attribute === undefined) continue; // removed: the outbox was handed on
    values[`:${attribute}`] = encoded;
    sets.push(`#${attribute} = :${attribute}`);
  }
  if (expectedRevision !== undefined) values[":expected"] = expectedRevision;
  try {
    await table.update("putUser", {
      Key: keys.user(userId),
      UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
      ConditionExpression: expectedRevision === undefined ? "attribute_not_exists(pk)" : "rev = :expected",
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw new ConcurrencyError(
      `user ${userId}: expected revision ${expectedRevision ?? "none"}, another write came first`,
      {
        cause: error,
      },
    );
  }
  return revision;
}

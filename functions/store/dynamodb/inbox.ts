/**
 * The inbox on the table (the inbox channel, docs/channels/inbox.md): a user's messages in one partition,
 * `INBOX#<userId>` / `MSG#<messageId>`, so that a read is one Query of that user's partition and can never
 * reach another user's messages. A message expires by `ttl` a day after its `expiresAt` (TTL deletes late,
 * so a read filters the expired ones itself); a message whose coupon was redeemed (a `COUPON#<couponId>`
 * item, coupons.ts) no longer shows.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { InboxMessage, InboxStore } from "../../runtime/ports.ts";
import { parseInstant } from "../../shared/time.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import { TableClient } from "./table-client.ts";

/** How long an expired message stays in the table before TTL removes it (a read already hides it). */
const KEPT_AFTER_EXPIRY_MS = 24 * 3_600_000;

/** The attributes an item holds besides its message: the keys and the TTL. */
const ITEM_ONLY = new Set(["pk", "sk", "ttl"]);

function messageOf(item: Record<string, unknown>): InboxMessage {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !ITEM_ONLY.has(name))) as unknown as InboxMessage;
}

export class DynamoDbInbox implements InboxStore {
  private readonly table: TableClient;

  constructor(client: DynamoDBDocumentClient, options: { tableName: string }) {
    this.table = new TableClient(client, options.tableName);
  }

  async putInboxMessage(message: InboxMessage): Promise<boolean> {
    const expiresMs = parseInstant(message.expiresAt) ?? 0;
    try {
      await this.table.put("putInboxMessage", {
        Item: {
          ...keys.inboxMessage(message.userId, message.id),
          ...message,
          ttl: Math.ceil((expiresMs + KEPT_AFTER_EXPIRY_MS) / 1000),
        },
        // A redelivery must not bring back a message the user dismissed.
        ConditionExpression: "attribute_not_exists(pk)",
      });
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async getInboxMessage(userId: string, messageId: string): Promise<InboxMessage | undefined> {
    const output = await this.table.get("getInboxMessage", {
      Key: keys.inboxMessage(userId, messageId),
      ConsistentRead: true,
    });
    return output.Item === undefined ? undefined : messageOf(output.Item);
  }

  async currentInboxMessages(query: {
    userId: string;
    placement: string;
    now: number;
    limit: number;
  }): Promise<InboxMessage[]> {
    const found: InboxMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.table.query("currentInboxMessages", {
        KeyConditionExpression: "pk = :pk",
        FilterExpression: "placement = :placement AND attribute_not_exists(dismissedAt)",
        ExpressionAttributeValues: { ":pk": keys.inbox(query.userId), ":placement": query.placement },
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      for (const item of output.Items ?? []) {
        const message = messageOf(item);
        if ((parseInstant(message.expiresAt) ?? 0) > query.now) found.push(message);
      }
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    const redeemed = await this.redeemedCoupons(found);
    return found
      .filter((message) => message.couponId === undefined || !redeemed.has(message.couponId))
      .sort((a, b) => b.priority - a.priority || b.sentAt.localeCompare(a.sentAt) || a.id.localeCompare(b.id))
      .slice(0, query.limit);
  }

  async dismissInboxMessage(userId: string, messageId: string, at: string): Promise<boolean> {
    try {
      await this.table.update("dismissInboxMessage", {
        Key: keys.inboxMessage(userId, messageId),
        UpdateExpression: "SET dismissedAt = if_not_exists(dismissedAt, :at)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":at": at },
      });
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** The coupons of these messages that were redeemed: one GetItem a coupon (a user has a few at most). */
  private async redeemedCoupons(messages: readonly InboxMessage[]): Promise<Set<string>> {
    const couponIds = [...new Set(messages.flatMap((message) => message.couponId ?? []))];
    const redeemed = await Promise.all(
      couponIds.map(async (couponId) => {
        const output = await this.table.get("inboxCoupon", { Key: keys.coupon(couponId) });
        return output.Item?.redeemedAt === undefined ? [] : [couponId];
      }),
    );
    return new Set(redeemed.flat());
  }
}

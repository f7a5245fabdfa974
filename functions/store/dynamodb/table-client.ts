import type { ConsumedCapacity, KeysAndAttributes } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { describeFailure, isConditionFailure, StoreError } from "./errors.ts";

/** What one kind of store operation (a port method) has cost so far. */
export interface CapacityUse {
  /** DynamoDB requests sent (a retried request counts once). */
  requests: number;
  /** Read and write capacity units DynamoDB reported (`ReturnConsumedCapacity: "TOTAL"`). */
  read: number;
  write: number;
  /** Conditional writes refused. DynamoDB bills them (a write unit per KB) but reports no units. */
  conditionFailures: number;
}

type Table = { TableName: string };
type Without<T> = Omit<T, "TableName" | "ReturnConsumedCapacity">;

/**
 * The document client as the store uses it: every request names its table, asks for the consumed
 * capacity and adds it to the operation kind's account; every failure but a refused condition (which the
 * caller handles) becomes a StoreError naming the operation and the key.
 */
export class TableClient {
  readonly capacity: Record<string, CapacityUse> = {};

  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  get(kind: string, input: Without<GetCommandInput>) {
    return this.send(kind, keyOf(input.Key), false, () => this.client.send(new GetCommand(this.with(input))));
  }

  put(kind: string, input: Without<PutCommandInput>) {
    return this.send(kind, keyOf(input.Item), true, () => this.client.send(new PutCommand(this.with(input))));
  }

  update(kind: string, input: Without<UpdateCommandInput>) {
    return this.send(kind, keyOf(input.Key), true, () => this.client.send(new UpdateCommand(this.with(input))));
  }

  delete(kind: string, input: Without<DeleteCommandInput>) {
    return this.send(kind, keyOf(input.Key), true, () => this.client.send(new DeleteCommand(this.with(input))));
  }

  query(kind: string, input: Without<QueryCommandInput>) {
    const what = String(input.ExpressionAttributeValues?.[":pk"] ?? "query");
    return this.send(kind, what, false, () => this.client.send(new QueryCommand(this.with(input))));
  }

  scan(kind: string, input: Without<ScanCommandInput>) {
    return this.send(kind, "scan", false, () => this.client.send(new ScanCommand(this.with(input))));
  }

  /**
   * Gets items 100 to a request (BatchGetItem), eventually consistent, sending again what DynamoDB left
   * unprocessed; in no particular order (each item carries its key), missing ones left out.
   */
  async getAll(
    kind: string,
    itemKeys: readonly Record<string, unknown>[],
    projection: Pick<KeysAndAttributes, "ProjectionExpression" | "ExpressionAttributeNames" | "ConsistentRead"> = {},
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < itemKeys.length; start += 100) {
      let requested = itemKeys.slice(start, start + 100);
      for (let round = 0; requested.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
        if (round > 8) throw new StoreError(`DynamoDB ${kind}: ${requested.length} keys still unprocessed`);
        const Keys = requested;
        const output = await this.send(kind, `${Keys.length} keys`, false, () =>
          this.client.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { ...projection, Keys } },
              ReturnConsumedCapacity: "TOTAL",
            }),
          ),
        );
        items.push(...(output.Responses?.[this.tableName] ?? []));
        requested = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return items;
  }

  /** Puts items 25 to a request, sending again what DynamoDB left unprocessed. */
  async putAll(kind: string, items: readonly Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < items.length; start += 25) {
      let requests: NonNullable<BatchWriteCommandInput["RequestItems"]>[string] = items
        .slice(start, start + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
        if (round > 8) throw new StoreError(`DynamoDB ${kind}: ${requests.length} items still unprocessed`);
        const batch = requests;
        const output = await this.send(kind, `${batch.length} items`, true, () =>
          this.client.send(
            new BatchWriteCommand({ RequestItems: { [this.tableName]: batch }, ReturnConsumedCapacity: "TOTAL" }),
          ),
        );
        requests = output.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }

  private with<T extends object>(input: T): T & Table & { ReturnConsumedCapacity: "TOTAL" } {
    return { ...input, TableName: this.tableName, ReturnConsumedCapacity: "TOTAL" };
  }

  private async send<O extends { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }>(
    kind: string,
    what: string,
    write: boolean,
    request: () => Promise<O>,
  ): Promise<O> {
    const use = this.account(kind);
    use.requests++;
    try {
      const output = await request();
      for (const consumed of [output.ConsumedCapacity ?? []].flat()) {
        use.read += consumed.ReadCapacityUnits ?? (write ? 0 : (consumed.CapacityUnits ?? 0));
        use.write += consumed.WriteCapacityUnits ?? (write ? (consumed.CapacityUnits ?? 0) : 0);
      }
      return output;
    } catch (error) {
      if (isConditionFailure(error)) {
        use.conditionFailures++;
        throw error;
      }
      throw new StoreError(`DynamoDB ${kind} ${what} failed: ${describeFailure(error)}`, { cause: error });
    }
  }

  private account(kind: string): CapacityUse {
    let use = this.capacity[kind];
    if (use === undefined) {
      use = { requests: 0, read: 0, write: 0, conditionFailures: 0 };
      this.capacity[kind] = use;
    }
    return use;
  }
}

function keyOf(item: Record<string, unknown> | undefined): string {
  return item === undefined ? "?" : `${String(item.pk)}/${String(item.sk)}`;
}

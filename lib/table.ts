import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { TTL_ATTRIBUTE, tableDefinition } from "../functions/store/dynamodb/table.ts";

/** The key schema of the store's own table definition, as CDK attributes. */
export function tableKeys(): { partitionKey: dynamodb.Attribute; sortKey: dynamodb.Attribute } {
  const definition = tableDefinition("nudge");
  if (definition.BillingMode !== "PAY_PER_REQUEST") throw new Error("the store's table must be on demand");
  const attribute = (keyType: "HASH" | "RANGE"): dynamodb.Attribute => {
    const name = definition.KeySchema.find((key) => key.KeyType === keyType)?.AttributeName;
    const type = definition.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType;
    if (name === undefined || type !== "S") throw new Error(`the store's ${keyType} key must be a string attribute`);
    return { name, type: dynamodb.AttributeType.STRING };
  };
  return { partitionKey: attribute("HASH"), sortKey: attribute("RANGE") };
}

/**
 * The journey state's one table, as the DynamoDB store defines it (functions/store/dynamodb/table.ts):
 * on demand, point-in-time recovery, encrypted with the AWS managed key, items expiring by their `ttl`.
 * In production the table is kept when the stack goes (RETAIN) and protected from deletion.
 */
export class JourneyTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: { production: boolean }) {
    super(scope, id);
    this.table = new dynamodb.Table(this, "Table", {
      ...tableKeys(),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      deletionProtection: props.production,
    });
  }
}

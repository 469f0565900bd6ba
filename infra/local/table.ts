import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { TABLE } from "../../functions/adapters/table";

/** The local table's name; operator commands open the same one. */
export const TABLE_NAME = "healthy-hips";

/** How long a new table may take to become active before ensureTable gives up. */
const ACTIVE_WITHIN_MS = 30_000;

/**
 * Creates the subscriber table with the sparse due index, as the CDK stack does, if missing,
 * and returns once it and its index are active: a table still being created refuses every read
 * and write (ResourceNotFoundException), as DynamoDB's does.
 */
export async function ensureTable(client: DynamoDBClient, TableName: string): Promise<void> {
  if (!(await describe(client, TableName))) await create(client, TableName);
  const until = Date.now() + ACTIVE_WITHIN_MS;
  for (;;) {
    const table = await describe(client, TableName);
    const indexes = table?.GlobalSecondaryIndexes ?? [];
    if (table?.TableStatus === "ACTIVE" && indexes.every((i) => i.IndexStatus === "ACTIVE")) {
      return;
    }
    if (Date.now() > until) throw new Error(`table ${TableName} did not become active`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function describe(client: DynamoDBClient, TableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName }))).Table;
  } catch (e) {
    if ((e as Error).name !== "ResourceNotFoundException") throw e;
    return undefined;
  }
}

async function create(client: DynamoDBClient, TableName: string) {
  await client.send(new CreateTableCommand(tableDefinition(TableName)));
}

/** The subscriber table with the sparse due index, as the CDK stack defines it. */
export function tableDefinition(TableName: string): CreateTableCommandInput {
  return {
    TableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: "S" },
      { AttributeName: TABLE.sortKey, AttributeType: "S" },
      { AttributeName: TABLE.dueShard, AttributeType: "S" },
      { AttributeName: TABLE.dueAt, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.dueIndex,
        KeySchema: [
          { AttributeName: TABLE.dueShard, KeyType: "HASH" },
          { AttributeName: TABLE.dueAt, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...TABLE.dueProjection] },
      },
    ],
  };
}

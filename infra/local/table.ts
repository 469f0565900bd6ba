import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { TABLE } from "../../functions/adapters/table";

/** The local table's name; operator commands open the same one. */
export const TABLE_NAME = "healthy-hips";

/** Creates the subscriber table with the sparse due index, as the CDK stack does, if missing. */
export async function ensureTable(client: DynamoDBClient, TableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName }));
    return;
  } catch (e) {
    if ((e as Error).name !== "ResourceNotFoundException") throw e;
  }
  await client.send(
    new CreateTableCommand({
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
    }),
  );
}

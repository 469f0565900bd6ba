import { once } from "node:events";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TABLE } from "../../functions/adapters/table";
import { ensureTable } from "../../infra/local/table";

const require = createRequire(import.meta.url);

/**
 * dynalite, like DynamoDB, answers CreateTable while the table is still being created and
 * refuses reads until it is active. `npm start` and every test read right after ensureTable, so
 * it must not return before then (on a loaded machine the gap was long enough to fail a start).
 */
describe("ensureTable", () => {
  let server: Server;
  let client: DynamoDBClient;
  beforeAll(async () => {
    const dynalite = require("dynalite") as (opts: object) => Server;
    // A slow creation, so the window between the answer and an active table is wide.
    server = dynalite({ createTableMs: 300 });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise((r) => server?.close(r));
  });

  it("returns only once the new table and its due index answer queries", async () => {
    await ensureTable(client, "funnel-table");
    const doc = DynamoDBDocumentClient.from(client);
    const out = await doc.send(
      new QueryCommand({
        TableName: "funnel-table",
        IndexName: TABLE.dueIndex,
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": TABLE.dueShard },
        ExpressionAttributeValues: { ":s": "0" },
      }),
    );
    expect(out.Items).toEqual([]);
    // A second call finds it and returns at once.
    await ensureTable(client, "funnel-table");
  });
});

import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One DynamoDB request as the table's IAM policy sees it: the action and what it names. */
export interface DynamoCall {
  /** The IAM action, e.g. "dynamodb:Query". */
  action: string;
  /** "index/<name>" for a request on a secondary index, else "table". */
  on: string;
  /** For a request on one item, its partition key's kind (before the first "#"), e.g. "SUB". */
  item?: string;
}

/**
 * A pass-through in front of dynalite that records each request's action and whether it names
 * an index, so a test can hold what a Lambda bundle really calls against what its role grants.
 * Point a function's `AWS_ENDPOINT_URL_DYNAMODB` at `endpoint`.
 */
export async function startDynamoRecorder(target: string) {
  const calls: DynamoCall[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "unknown";
    const input = JSON.parse(body.toString("utf8") || "{}") as {
      IndexName?: string;
      Key?: { pk?: { S?: string } };
    };
    calls.push({
      action: `dynamodb:${operation}`,
      on: input.IndexName ? `index/${input.IndexName}` : "table",
      item: input.Key?.pk?.S?.split("#")[0],
    });
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "content-length"].includes(k)),
    ) as Record<string, string>;
    const answer = await fetch(`${target}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: req.method === "GET" ? undefined : body,
    });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

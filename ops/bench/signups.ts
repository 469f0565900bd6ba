import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { silentLogger } from "../../functions/core/ports";
import { startLocalStack } from "../../infra/local/stack";
import { TABLE_NAME } from "../../infra/local/table";
import type { BenchMeasure } from "./row";

const CONCURRENCY = 16;
const SIGNUPS = 800;
const LOCAL = { accessKeyId: "local", secretAccessKey: "local" };

/** Runs `n` tasks `concurrency` at a time; returns each task's latency (ms) and the total. */
async function drive(n: number, concurrency: number, task: (i: number) => unknown) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const total = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { perSecond: (n / total) * 1000, p99: latencies[Math.floor(n * 0.99)] ?? 0 };
}

/**
 * Local signups through the web app (POST /api/subscribe, in process) against the raw I/O a
 * signup needs at least: one conditional put of the subscriber and one enqueue, at the same
 * concurrency, against the same DynamoDB stand-in.
 */
export const measure: BenchMeasure = async () => {
  const stack = await startLocalStack({
    logger: silentLogger,
    // The machine's own address: the per-client signup limit leaves it alone.
    clientIp: () => "127.0.0.1",
  });
  try {
    const post = (i: number) =>
      stack.app.request("/api/subscribe", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: `bench${i}@example.com`, firstName: "Ana" }),
      });
    await drive(50, CONCURRENCY, (i) => post(1_000_000 + i));
    const project = await drive(SIGNUPS, CONCURRENCY, async (i) => {
      const res = await post(i);
      if (res.status !== 202) throw new Error(`signup answered ${res.status}`);
    });

    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamoEndpoint,
        region: "us-east-1",
        credentials: LOCAL,
      }),
    );
    const queue: unknown[] = [];
    const raw = await drive(SIGNUPS, CONCURRENCY, async (i) => {
      await doc.send(
        new PutCommand({
          TableName: TABLE_NAME,
          Item: { pk: `RAW#${i}`, sk: "PROFILE", email: `raw${i}@example.com`, status: "pending" },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      queue.push({ kind: "confirm", sid: `RAW#${i}` });
    });
    doc.destroy();
    return [
      {
        measure: `local signups/s at concurrency ${CONCURRENCY}`,
        project: Math.round(project.perSecond),
        baseline: Math.round(raw.perSecond),
        ratio: round(project.perSecond / raw.perSecond),
        goal: ">= 0.8x raw put + enqueue",
        met: project.perSecond >= 0.8 * raw.perSecond,
        unit: "/s",
      },
      {
        measure: `local signup p99 at concurrency ${CONCURRENCY}`,
        project: round(project.p99),
        baseline: round(raw.p99),
        ratio: round(project.p99 / raw.p99),
        goal: "<= 2x raw",
        met: project.p99 <= 2 * raw.p99,
        unit: "ms",
      },
    ];
  } finally {
    await stack.stop();
  }
};

const round = (n: number) => Math.round(n * 100) / 100;

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** Runs `n` tasks `concurrency` at a time; returns the rate, the p99 latency (ms) and the time. */
export async function drive(n: number, concurrency: number, task: (i: number) => unknown) {
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
  const ms = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { perSecond: (n / ms) * 1000, p99: latencies[Math.floor(n * 0.99)] ?? 0, ms, latencies };
}

/** Plain numbers for the table: two decimals. */
export const round = (n: number) => Math.round(n * 100) / 100;

type Input = {
  Key?: Record<string, unknown>;
  Item?: Record<string, unknown>;
  IndexName?: string;
  ConsistentRead?: boolean;
  RequestItems?: Record<string, unknown[]>;
};

/** `SUB`, `STAT`, `RATE`… : the part of a key before its first `#`, marshalled or not. */
function itemKind(input: Input): string {
  const pk = input.Key?.pk ?? input.Item?.pk;
  const raw = typeof pk === "string" ? pk : (pk as { S?: string } | undefined)?.S;
  if (raw) return raw.split("#")[0] as string;
  if (input.IndexName) return "index";
  return "table";
}

export interface Consumed {
  read: number;
  write: number;
}

/**
 * Counts every request a DynamoDB client makes, by operation and the kind of item it touches
 * (`UpdateItem SUB`, `UpdateItem STAT`…), through the client's own middleware, and adds up the
 * capacity units each reports (it asks for them with `ReturnConsumedCapacity: INDEXES`, so
 * index writes are in the sum).
 */
export function countRequests(client: DynamoDBClient) {
  let counts = new Map<string, number>();
  let consumed: Consumed = { read: 0, write: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args as { input: Input & { ReturnConsumedCapacity?: string } }).input;
      const op = String(context.commandName).replace(/Command$/, "");
      const kind = `${op} ${itemKind(input)}`;
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      input.ReturnConsumedCapacity = "INDEXES";
      const out = await next(args);
      const cc = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const c of [cc].flat() as { CapacityUnits?: number }[]) {
        const units = c?.CapacityUnits ?? 0;
        if (/^(Get|BatchGet|Query|Scan)/.test(op)) consumed.read += units;
        else consumed.write += units;
      }
      return out;
    },
    { step: "initialize", name: "benchCountRequests", priority: "high" },
  );
  return {
    /** Requests by kind since the last reset, and their total. */
    snapshot() {
      const byKind = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return { byKind, total, consumed: { ...consumed } };
    },
    reset() {
      counts = new Map();
      consumed = { read: 0, write: 0 };
    },
  };
}

export type RequestCounter = ReturnType<typeof countRequests>;

/** `3 UpdateItem SUB, 1 GetItem SUB` per unit of work, for a line under the table. */
export function perUnit(byKind: Record<string, number>, units: number): string {
  return Object.entries(byKind)
    .map(([k, v]) => `${round(v / units)} ${k}`)
    .join(", ");
}

import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";

/**
 * Counters for the owner's report, spread over {@link COUNTER_SHARDS} items per scope. A burst
 * of signups or sends adds to a random shard each time (atomic ADD), so no single item takes
 * every write; a read sums the shards of a scope, which stays exact because ADD never loses an
 * increment. Each shard is its own partition key: items sharing a partition key share its
 * throughput, so spreading by sort key alone would not spread the load.
 */
export const COUNTER_SHARDS = 8;

/** What a scope counts: one calendar day (UTC), all time, one email, or subscribers by state. */
export type CounterScope = `day:${string}` | "all" | `email:${string}` | "state";

export type Counts = Record<string, number>;

export const counterKey = (scope: CounterScope, shard: number) => ({
  pk: `STAT#${scope}#${shard}`,
  sk: "COUNT",
});

const BATCH_GET_MAX = 100;

/** Reads and adds to sharded counters on the subscriber table. */
export function createCounters(
  doc: DynamoDBDocumentClient,
  TableName: string,
  shardOf: () => number = () => Math.floor(Math.random() * COUNTER_SHARDS),
) {
  return {
    /** Adds (or, with negative values, subtracts) each counter in one write to one shard. */
    async add(scope: CounterScope, counts: Counts): Promise<void> {
      const entries = Object.entries(counts).filter(([, v]) => v !== 0);
      if (entries.length === 0) return;
      const names: Record<string, string> = {};
      const values: Record<string, number> = {};
      entries.forEach(([k, v], i) => {
        names[`#c${i}`] = k;
        values[`:c${i}`] = v;
      });
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: counterKey(scope, shardOf()),
          UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(", ")}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    /** Sums every shard of each scope (batched reads; an absent counter is 0). */
    async read(scopes: CounterScope[]): Promise<Map<CounterScope, Counts>> {
      const out = new Map<CounterScope, Counts>(scopes.map((s) => [s, {}]));
      const byPk = new Map<string, CounterScope>();
      const keys = scopes.flatMap((scope) =>
        Array.from({ length: COUNTER_SHARDS }, (_, shard) => {
          const key = counterKey(scope, shard);
          byPk.set(key.pk, scope);
          return key;
        }),
      );
      const add = (item: Record<string, unknown>) => {
        const scope = byPk.get(String(item.pk));
        const sum = scope && out.get(scope);
        if (!sum) return;
        for (const [k, v] of Object.entries(item)) {
          if (k === "pk" || k === "sk" || typeof v !== "number") continue;
          sum[k] = (sum[k] ?? 0) + v;
        }
      };
      for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
        let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + BATCH_GET_MAX);
        for (let attempt = 0; pending?.length; attempt++) {
          if (attempt > 0)
            await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
          const res: BatchGetCommandOutput = await doc.send(
            new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending } } }),
          );
          for (const item of res.Responses?.[TableName] ?? []) add(item);
          pending = res.UnprocessedKeys?.[TableName]?.Keys;
        }
      }
      return out;
    },
  };
}

export type Counters = ReturnType<typeof createCounters>;

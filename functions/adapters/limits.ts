import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  gcra,
  type RateRule,
  type ThrottleRule,
  type ThrottleState,
  throttle,
} from "../core/limits";

const isConditionFailure = (e: unknown) =>
  (e as { name?: string })?.name === "ConditionalCheckFailedException";

/** The table's TTL attribute (epoch seconds): limit items clean themselves up. */
const ttl = (ms: number) => Math.ceil(ms / 1000) + 3600;

/**
 * Limit state kept in the subscriber table, one small item per client or mailbox, shared by
 * every instance and removed by TTL once idle. Keys are hashes, never addresses.
 */
export function limitItems(doc: DynamoDBDocumentClient, TableName: string) {
  async function conditional(input: ConstructorParameters<typeof UpdateCommand>[0]) {
    try {
      await doc.send(new UpdateCommand(input));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  return {
    /**
     * Takes one request from a client's rate (GCRA). An idle client costs one conditional
     * write; a busy one two; a refused one a read more, for the wait (unless `wait` is false,
     * where the answer needs no Retry-After). Atomic under concurrency: each write's condition
     * is the rule.
     */
    async takeRate(
      key: string,
      rule: RateRule,
      now: number,
      { wait = true }: { wait?: boolean } = {},
    ): Promise<{ allowed: boolean; retryAfterMs: number }> {
      const Key = { pk: `RATE#${key}`, sk: "RATE" };
      const tolerance = (rule.burst - 1) * rule.intervalMs;
      const expiresAt = ttl(now + tolerance + rule.intervalMs);
      // Idle (or new): the arrival time restarts from now.
      if (
        await conditional({
          TableName,
          Key,
          UpdateExpression: "SET #tat = :next, expiresAt = :exp",
          ConditionExpression: "attribute_not_exists(#tat) OR #tat < :now",
          ExpressionAttributeNames: { "#tat": "tat" },
          ExpressionAttributeValues: {
            ":next": now + rule.intervalMs,
            ":now": now,
            ":exp": expiresAt,
          },
        })
      ) {
        return { allowed: true, retryAfterMs: 0 };
      }
      // Busy: one interval later, while that stays within the burst.
      if (
        await conditional({
          TableName,
          Key,
          UpdateExpression: "SET #tat = #tat + :interval, expiresAt = :exp",
          ConditionExpression: "#tat >= :now AND #tat <= :limit",
          ExpressionAttributeNames: { "#tat": "tat" },
          ExpressionAttributeValues: {
            ":interval": rule.intervalMs,
            ":now": now,
            ":limit": now + tolerance,
            ":exp": expiresAt,
          },
        })
      ) {
        return { allowed: true, retryAfterMs: 0 };
      }
      if (!wait) return { allowed: false, retryAfterMs: rule.intervalMs };
      const out = await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
      const decision = gcra(out.Item?.tat as number | undefined, rule, now);
      return { allowed: false, retryAfterMs: decision.allowed ? 1000 : decision.retryAfterMs };
    },

    /**
     * Takes one send from a throttle (e.g. confirmations to one mailbox). Returns undefined when
     * the rule says no; otherwise a `release` that gives the send back if it could not be made.
     * A mailbox seen for the first time (the common case: a new signup) costs one conditional
     * write and no read; the state is read only when that write finds it exists.
     */
    async throttle(
      key: string,
      rule: ThrottleRule,
      now: number,
    ): Promise<{ release(): Promise<void> } | undefined> {
      const Key = { pk: `THROTTLE#${key}`, sk: "THROTTLE" };
      for (let attempt = 0; attempt < 4; attempt++) {
        // First try as if there were no state yet; the write's condition says if there was.
        const out: { Item?: Record<string, unknown> } =
          attempt === 0
            ? {}
            : await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
        const item = out.Item as (ThrottleState & { version: number }) | undefined;
        const next = throttle(item, rule, now);
        if (!next) return undefined;
        const version = (item?.version ?? 0) + 1;
        const ok = await conditional({
          TableName,
          Key,
          UpdateExpression:
            "SET lastAt = :l, windowStart = :w, #count = :c, #version = :v, expiresAt = :exp",
          ConditionExpression: item ? "#version = :old" : "attribute_not_exists(pk)",
          ExpressionAttributeNames: { "#count": "count", "#version": "version" },
          ExpressionAttributeValues: {
            ":l": next.lastAt,
            ":w": next.windowStart,
            ":c": next.count,
            ":v": version,
            ":exp": ttl(next.windowStart + 86_400_000 + rule.gapMs),
            ...(item ? { ":old": item.version } : {}),
          },
        });
        if (!ok) continue;
        return {
          release: async () => {
            const restore = item
              ? {
                  UpdateExpression:
                    "SET lastAt = :l, windowStart = :w, #count = :c, #version = :v2",
                  ExpressionAttributeValues: {
                    ":l": item.lastAt,
                    ":w": item.windowStart,
                    ":c": item.count,
                    ":v2": version + 1,
                    ":v": version,
                  },
                  ExpressionAttributeNames: { "#count": "count", "#version": "version" },
                }
              : {
                  UpdateExpression: "SET #count = :c, lastAt = :l, #version = :v2",
                  ExpressionAttributeValues: {
                    ":c": 0,
                    ":l": 0,
                    ":v2": version + 1,
                    ":v": version,
                  },
                  ExpressionAttributeNames: { "#count": "count", "#version": "version" },
                };
            await conditional({ TableName, Key, ConditionExpression: "#version = :v", ...restore });
          },
        };
      }
      // Others are taking from it at this very moment: not this one.
      return undefined;
    },
  };
}

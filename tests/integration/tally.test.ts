import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTally } from "../../functions/adapters/tally";
import { silentLogger } from "../../functions/core/ports";
import { buildReport } from "../../functions/funnel/report";
import { subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

let stack: LocalStack;
let dynamo: DynamoDBClient;
const clock = new ManualClock(Date.parse("2026-04-01T09:00:00Z"));
/** Counter writes (UpdateItem on a STAT# item) seen by the stack's DynamoDB client. */
let counterWrites = 0;
/** When set, the next counter write fails as a throttled request would. */
let failNextCounterWrite = false;

beforeAll(async () => {
  stack = await startLocalStack({
    clock,
    logger: silentLogger,
    maxSendRate: 1000,
    clients: (c) => {
      dynamo = c.dynamo;
      c.dynamo.middlewareStack.add(
        (next, context) => async (args) => {
          // Before the document client marshals the key it is plain; after, `{ S: "..." }`.
          const raw = (args as { input?: { Key?: { pk?: string | { S?: string } } } }).input?.Key
            ?.pk;
          const pk = typeof raw === "string" ? raw : raw?.S;
          if (context.commandName === "UpdateItemCommand" && pk?.startsWith("STAT#")) {
            counterWrites++;
            if (failNextCounterWrite) {
              failNextCounterWrite = false;
              throw Object.assign(new Error("throttled"), {
                name: "ProvisionedThroughputExceededException",
              });
            }
          }
          return next(args);
        },
        { step: "initialize", name: "countCounterWrites" },
      );
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe("the send worker's tally of counters", () => {
  it("writes each scope once per flush, however many adds it holds, and the sums stay exact", async () => {
    expect(dynamo).toBeDefined();
    const tally = createTally(stack.deps.store.counters);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        tally.add(i % 3 === 0 ? "email:tally-a" : "email:tally-b", { sent: 1, clicks: i % 2 }),
      ),
    );
    counterWrites = 0;
    await tally.flush();
    expect(counterWrites).toBe(2);
    const read = await stack.deps.store.counters.read(["email:tally-a", "email:tally-b"]);
    expect(read.get("email:tally-a")).toEqual({ sent: 100, clicks: 50 });
    expect(read.get("email:tally-b")).toEqual({ sent: 200, clicks: 100 });
    counterWrites = 0;
    await tally.flush();
    expect(counterWrites).toBe(0);
  });

  it("a flush that fails keeps what it could not write for the next flush: nothing lost, nothing twice", async () => {
    const tally = createTally(stack.deps.store.counters);
    await tally.add("email:tally-c", { sent: 3 });
    await tally.add("email:tally-d", { sent: 5 });
    failNextCounterWrite = true;
    await expect(tally.flush()).rejects.toThrow("throttled");
    expect(tally.size()).toBe(1);
    await tally.add("email:tally-c", { sent: 1 });
    await tally.add("email:tally-d", { sent: 1 });
    await tally.flush();
    const read = await stack.deps.store.counters.read(["email:tally-c", "email:tally-d"]);
    expect(read.get("email:tally-c")?.sent).toBe(4);
    expect(read.get("email:tally-d")?.sent).toBe(6);
  });
});

describe("a signup is counted by the job it queues", () => {
  const consent = { form: "test", textVersion: "1" };

  it("counts a new signup once, and still counts it when queueing its confirmation failed", async () => {
    const before = await buildReport(stack.deps, clock.now());
    const { deps } = stack;
    const queue = deps.queue;
    deps.queue = { enqueue: () => Promise.reject(new Error("queue down")) };
    try {
      await expect(
        subscribe(deps, { email: "tally1@example.com", firstName: "", timeZone: "UTC", consent }),
      ).rejects.toThrow("queue down");
    } finally {
      deps.queue = queue;
    }
    // The visitor tries again: known and pending now, so no second count; the job goes out.
    await subscribe(deps, { email: "tally1@example.com", firstName: "", timeZone: "UTC", consent });
    // A new address: counted by the worker when its confirmation job is done.
    await subscribe(deps, { email: "tally2@example.com", firstName: "", timeZone: "UTC", consent });
    await stack.drain();
    const after = await buildReport(stack.deps, clock.now());
    expect(after.funnel.signups - before.funnel.signups).toBe(2);
    expect((after.subscribers.pending ?? 0) - (before.subscribers.pending ?? 0)).toBe(2);
  });
});

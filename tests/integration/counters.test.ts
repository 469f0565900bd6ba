import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COUNTER_SHARDS } from "../../functions/adapters/counters";
import { silentLogger } from "../../functions/core/ports";
import { buildReport } from "../../functions/funnel/report";
import { day } from "../../functions/funnel/stats";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

let stack: LocalStack;
const clock = new ManualClock(Date.parse("2026-03-10T09:00:00Z"));

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger, maxSendRate: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

const consent = { form: "test", textVersion: "1" };

describe("counters under a concurrent burst", () => {
  it("a burst of concurrent adds sums exactly and spreads over several items", async () => {
    const adds = 200;
    await Promise.all(
      Array.from({ length: adds }, (_, i) =>
        stack.deps.store.count("2026-01-01", { burst: 1, weighted: i % 3 }),
      ),
    );
    const read = await stack.deps.store.counters.read(["day:2026-01-01", "all"]);
    expect(read.get("day:2026-01-01")).toEqual({ burst: adds, weighted: 199 });
    expect(read.get("all")?.burst).toBe(adds);

    // Written to several items (shards), not one hot item.
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamoEndpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }),
    );
    const scan = await doc.send(new ScanCommand({ TableName: "healthy-hips" }));
    const shards = (scan.Items ?? []).filter((i) =>
      String(i.pk).startsWith("STAT#day:2026-01-01#"),
    );
    expect(shards.length).toBeGreaterThan(1);
    expect(shards.length).toBeLessThanOrEqual(COUNTER_SHARDS);
  });

  it("concurrent signups and confirmations are counted exactly, per day and per state", async () => {
    const people = Array.from({ length: 40 }, (_, i) => `burst${i}@example.com`);
    await Promise.all(
      people.map((email) =>
        subscribe(stack.deps, { email, firstName: "", timeZone: "UTC", consent }),
      ),
    );
    // The same people again, concurrently: re-sent confirmations are not new signups.
    clock.advance(11 * 60_000);
    await Promise.all(
      people.map((email) =>
        subscribe(stack.deps, { email, firstName: "", timeZone: "UTC", consent }),
      ),
    );
    const confirmed = people.slice(0, 25);
    await Promise.all(confirmed.map((email) => confirm(stack.deps, sidFor(stack.deps, email))));
    // Confirming twice, concurrently, counts once.
    await Promise.all(confirmed.map((email) => confirm(stack.deps, sidFor(stack.deps, email))));
    await stack.drain();

    const report = await buildReport(stack.deps, clock.now());
    expect(report.funnel.signups).toBe(40);
    expect(report.funnel.confirmed).toBe(25);
    expect(report.subscribers.pending).toBe(15);
    expect(report.subscribers.active).toBe(25);
    const today = report.daily.at(-1);
    expect(today).toEqual({ day: day(clock.now()), signups: 40, confirmations: 25 });
    const welcome = report.emails[0];
    expect(welcome?.id).toBe("welcome");
    expect(welcome?.sent).toBe(25);
    // Everyone just confirmed has their first lesson due within a day.
    expect(report.dueNext24h).toBe(25);
  });
});

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slotTable } from "../../functions/adapters/send-slots";
import { sendSlotKey } from "../../functions/adapters/table";
import { silentLogger } from "../../functions/core/ports";
import { SPAN } from "../../functions/core/send-window";
import { createSender } from "../../functions/funnel/pace";
import { sendSlots } from "../../functions/funnel/send-slots";
import { type Emulator, startDynalite } from "../../infra/local/emulators";
import { ensureTable } from "../../infra/local/table";
import { LOCAL_CREDENTIALS } from "./lambda-env";

const TABLE = "hh-slots-test";
let db: Emulator;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let table: ReturnType<typeof slotTable>;

beforeAll(async () => {
  db = await startDynalite(0);
  client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  await ensureTable(client, TABLE);
  doc = DynamoDBDocumentClient.from(client);
  table = slotTable(doc, TABLE);
});
afterAll(async () => {
  client?.destroy();
  await db?.close();
});

const item = async (index: number) =>
  (
    await doc.send(
      new GetCommand({ TableName: TABLE, Key: sendSlotKey(index), ConsistentRead: true }),
    )
  ).Item;

describe("send slots in the table (DynamoDB conditional writes, through the SDK, on dynalite)", () => {
  it("two claimers race for one slot: exactly one gets it", async () => {
    const now = 1_000_000;
    const results = await Promise.all(
      ["a", "b", "c", "d"].map((me) => table.claim(0, me, now + 30_000, now)),
    );
    expect(results.filter((r) => r !== false)).toHaveLength(1);
    const winner = ["a", "b", "c", "d"][results.findIndex((r) => r !== false)];
    expect((await item(0))?.holder).toBe(winner);
    // The winner may claim it again (its own); others may not until the lease ends.
    expect(await table.claim(0, winner as string, now + 31_000, now + 10)).not.toBe(false);
    expect(await table.claim(0, winner === "a" ? "b" : "a", now + 40_000, now + 20)).toBe(false);
  });

  it("a lease that ran out is claimable, and the old holder's release then writes nothing", async () => {
    const now = 2_000_000;
    expect(await table.claim(1, "a", now + 5_000, now)).toBeUndefined();
    expect(await table.claim(1, "b", now + 20_000, now + 4_999)).toBe(false);
    const before = await table.claim(1, "b", now + 20_000, now + 5_000);
    expect(before).toEqual({ holder: "a", leaseUntil: now + 5_000, starts: undefined });
    await table.release(1, "a", now + 5_000, [now + 100]);
    expect(await item(1)).toMatchObject({ holder: "b", leaseUntil: now + 20_000 });
  });

  it("a release frees the slot and writes its window, which the next holder reads with its claim", async () => {
    const now = 3_000_000;
    await table.claim(2, "a", now + 30_000, now);
    await table.release(2, "a", now + 30_000, [now + 500, now + 900]);
    expect(await item(2)).toMatchObject({
      holder: "a",
      leaseUntil: 0,
      starts: [now + 500, now + 900],
    });
    expect(await table.claim(2, "b", now + 40_000, now + 1000)).toEqual({
      holder: "a",
      leaseUntil: 0,
      starts: [now + 500, now + 900],
    });
  });

  it("a waiter's mark keeps a freed slot for it: its last holder cannot take it back", async () => {
    const now = 4_000_000;
    await table.claim(3, "a", now + 30_000, now);
    await table.mark(3, "w", now + 3_000, now + 10);
    await table.mark(3, "x", now + 3_000, now + 10); // another waiter: the first mark stays
    await table.release(3, "a", now + 30_000, []);
    expect(await table.claim(3, "a", now + 30_000, now + 20)).toBe(false);
    expect(await table.claim(3, "x", now + 30_000, now + 20)).toBe(false);
    expect(await table.claim(3, "w", now + 30_000, now + 20)).not.toBe(false);
    expect((await item(3))?.next).toBeUndefined();
  });

  it("an instance claims, sends, releases; the next instance starts where the window allows, not a second later", async () => {
    const now = () => Date.now();
    const starts: number[] = [];
    const instance = (me: string) => {
      const sender = createSender(
        {
          send: async (_e, leaves) => {
            starts.push(now());
            leaves?.();
            return "id";
          },
        },
        { rate: () => 1, now },
      );
      sender.hold(null);
      const slots = sendSlots(slotTable(doc, "hh-slots-test-2"), sender, {
        slots: 2,
        rate: () => 6,
        me,
        logger: silentLogger,
      });
      return { sender, slots };
    };
    await ensureTable(client, "hh-slots-test-2");
    const email = { to: "a@example.com", subject: "", html: "", text: "" };
    const a = instance("a");
    const b = instance("b");
    const held = await a.slots.claim(10_000);
    expect(held).toMatchObject({ index: 0, share: 3 });
    for (let i = 0; i < 3; i++) await a.sender.send(email);
    await held.release();
    // A released slot can't send any more.
    await expect(a.sender.send(email)).rejects.toMatchObject({ name: "NoSendSlotError" });
    const next = await b.slots.claim(10_000);
    expect(next.index).toBe(0);
    await b.sender.send(email);
    // The fourth start waited for the first to age out of the slot's window, no more.
    expect((starts[3] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(SPAN);
    expect((starts[3] as number) - (starts[0] as number)).toBeLessThan(SPAN + 600);
    const releasedAt = Date.now();
    await next.release();
    const left = await doc.send(
      new GetCommand({ TableName: "hh-slots-test-2", Key: sendSlotKey(0), ConsistentRead: true }),
    );
    // The starts that may still count: the fourth, and none of the first three, which went
    // together (a holder sends as its window allows) and aged out while the fourth waited.
    const written = left.Item?.starts as number[];
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(written.length).toBeLessThanOrEqual(3);
    expect(Math.max(...written)).toBeGreaterThanOrEqual((starts[3] as number) - 1);
    for (const s of written) expect(s).toBeGreaterThan(releasedAt - SPAN - 1);
  });
});

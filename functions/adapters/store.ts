import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { PublishedSequence } from "../core/sequence";

export type { ClickRecord } from "./clicks";

import type { SendFailure, SendRecord, Subscriber } from "../core/subscriber";
import { clickItems } from "./clicks";
import { type Counts, createCounters } from "./counters";
import { limitItems } from "./limits";
import { createOwnerStore } from "./owner-store";
import { sequenceKey, subscriberKey, TABLE } from "./table";

type Attrs = Partial<Subscriber>;
type Attr = keyof Subscriber;

/**
 * A due index entry: enough to claim the subscriber it names. The claim returns the item, so
 * the job learns the email it is for (`nextId`) without the index projecting it (changing a
 * deployed index's projection would mean rebuilding it).
 */
export interface DueEntry {
  sid: string;
  dueAt: string;
}

const isConditionFailure = (e: unknown) =>
  (e as { name?: string })?.name === "ConditionalCheckFailedException";

function toSubscriber(item: Record<string, unknown> | undefined): Subscriber | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as Subscriber;
}

/** Builds `SET a = :a, … REMOVE b, …` with names and values, plus a version bump. */
function updateExpression(set: Attrs, remove: Attr[], extra: string[] = []) {
  const names: Record<string, string> = { "#version": "version" };
  const values: Record<string, unknown> = { ":one": 1 };
  const sets = ["#version = #version + :one", ...extra];
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) continue;
    names[`#${k}`] = k;
    values[`:set_${k}`] = v;
    sets.push(`#${k} = :set_${k}`);
  }
  const removes = remove
    .filter((k) => !(k in set))
    .map((k) => {
      names[`#${k}`] = k;
      return `#${k}`;
    });
  const expr = `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`;
  return { expr, names, values };
}

/**
 * Subscriber persistence on one DynamoDB table. Every change is one conditional write on one
 * item (no transactions); a failed condition returns `undefined`/`false`, never throws.
 */
export function createStore(doc: DynamoDBDocumentClient, tableName: string) {
  const TableName = tableName;
  const counters = createCounters(doc, TableName);

  /** One conditional update; `{ ok: false }` when the condition failed. */
  async function write(
    sid: string,
    condition: string,
    condNames: Record<string, string>,
    condValues: Record<string, unknown>,
    set: Attrs,
    remove: Attr[],
    extra: string[],
    ReturnValues: "ALL_NEW" | "NONE",
  ): Promise<{ ok: boolean; item?: Subscriber }> {
    const u = updateExpression(set, remove, extra);
    try {
      const out = await doc.send(
        new UpdateCommand({
          TableName,
          Key: subscriberKey(sid),
          UpdateExpression: u.expr,
          ConditionExpression: condition,
          ExpressionAttributeNames: { ...u.names, ...condNames },
          ExpressionAttributeValues: { ...u.values, ...condValues },
          ReturnValues,
        }),
      );
      return { ok: true, item: toSubscriber(out.Attributes) };
    } catch (e) {
      if (isConditionFailure(e)) return { ok: false };
      throw e;
    }
  }

  /** A conditional update that returns the item as written (undefined: condition failed). */
  async function conditionalUpdate(
    sid: string,
    condition: string,
    condNames: Record<string, string>,
    condValues: Record<string, unknown>,
    set: Attrs,
    remove: Attr[],
    extra: string[] = [],
  ): Promise<Subscriber | undefined> {
    const out = await write(sid, condition, condNames, condValues, set, remove, extra, "ALL_NEW");
    return out.item;
  }

  /**
   * A conditional update whose caller needs only whether it landed: nothing comes back, so the
   * send path does not read the whole item back after every email.
   */
  async function conditionalSet(
    sid: string,
    condition: string,
    condNames: Record<string, string>,
    condValues: Record<string, unknown>,
    set: Attrs,
    remove: Attr[],
    extra: string[] = [],
  ): Promise<boolean> {
    const out = await write(sid, condition, condNames, condValues, set, remove, extra, "NONE");
    return out.ok;
  }

  /** Appends `entry` to a log attribute and applies the step's change, if the lease is ours. */
  async function finishStep(
    sid: string,
    lease: string,
    log: "sends" | "failures",
    entry: SendRecord | SendFailure,
    set: Attrs,
    remove: Attr[],
  ): Promise<boolean> {
    return conditionalSet(
      sid,
      "#lease = :lease AND #status = :active",
      { "#lease": "lease", "#status": "status", "#log": log },
      { ":lease": lease, ":active": "active", ":entry": [entry], ":none": [] },
      set,
      remove,
      ["#log = list_append(if_not_exists(#log, :none), :entry)"],
    );
  }

  return {
    /** Per-client rates and per-mailbox throttles (their own small items, with TTL). */
    ...limitItems(doc, TableName),
    /** Click records, a few per link (see ./clicks). */
    ...clickItems(doc, TableName),

    async get(sid: string): Promise<Subscriber | undefined> {
      const out = await doc.send(
        new GetCommand({ TableName, Key: subscriberKey(sid), ConsistentRead: true }),
      );
      return toSubscriber(out.Item);
    },

    /** Creates the item unless one exists; false when it already did. */
    async create(sub: Subscriber): Promise<boolean> {
      // The key's attributes written out before the spread: spreading one object into another
      // gives each item a hidden class of its own in Node 20 (30 µs a signup; see onSignup).
      const key = subscriberKey(sub.sid);
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { pk: key.pk, sk: key.sk, ...sub },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    /** Applies a decision if nobody wrote since `version` was read. */
    update(
      sid: string,
      version: number,
      set: Attrs,
      remove: Attr[],
    ): Promise<Subscriber | undefined> {
      return conditionalUpdate(
        sid,
        "#version = :expected",
        {},
        { ":expected": version },
        set,
        remove,
      );
    },

    /** Subscribers of one shard due at or before `nowIso`, oldest first, one page. */
    async queryDue(shard: string, nowIso: string, limit = 100, cursor?: Record<string, unknown>) {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: TABLE.dueIndex,
          KeyConditionExpression: "#shard = :shard AND #dueAt <= :now",
          ExpressionAttributeNames: { "#shard": TABLE.dueShard, "#dueAt": TABLE.dueAt },
          ExpressionAttributeValues: { ":shard": shard, ":now": nowIso },
          Limit: limit,
          ExclusiveStartKey: cursor,
        }),
      );
      const entries: DueEntry[] = (out.Items ?? [])
        .filter((i) => i.status === "active")
        .map((i) => ({ sid: String(i.pk).slice(4), dueAt: String(i.dueAt) }));
      return { entries, cursor: out.LastEvaluatedKey };
    },

    /** Every entry of one index shard, whatever its time (ops and parked shards), one page. */
    async queryShard(shard: string, limit = 100, cursor?: Record<string, unknown>) {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: TABLE.dueIndex,
          KeyConditionExpression: "#shard = :shard",
          ExpressionAttributeNames: { "#shard": TABLE.dueShard },
          ExpressionAttributeValues: { ":shard": shard },
          Limit: limit,
          ExclusiveStartKey: cursor,
        }),
      );
      const entries = (out.Items ?? []).map((i) => ({
        sid: String(i.pk).slice(4),
        dueAt: String(i.dueAt),
        status: String(i.status),
      }));
      return { entries, cursor: out.LastEvaluatedKey };
    },

    /**
     * Claims a due subscriber: moves `dueAt` to `leaseUntil` and stamps `lease`, only if it is
     * still active and due at the time the index said (every plan or advance moves `dueAt`).
     * Returns the claimed item, whose `nextId` names the email the work is for.
     */
    claim(entry: DueEntry, lease: string, leaseUntil: string): Promise<Subscriber | undefined> {
      return conditionalUpdate(
        entry.sid,
        "#status = :active AND #dueAt = :dueAt",
        { "#status": "status", "#dueAt": "dueAt" },
        { ":active": "active", ":dueAt": entry.dueAt },
        { dueAt: leaseUntil, lease },
        [],
      );
    },

    /** Records a send and moves on, only while the lease is still ours. */
    advance(sid: string, lease: string, sent: SendRecord, set: Attrs, remove: Attr[]) {
      return finishStep(sid, lease, "sends", sent, set, remove);
    },

    /** Records a permanent failure of one email and moves past it (never retried forever). */
    skip(sid: string, lease: string, failure: SendFailure, set: Attrs, remove: Attr[]) {
      return finishStep(sid, lease, "failures", failure, set, remove);
    },

    /** Applies a new plan without a send (the content changed), only while the lease is ours. */
    async replan(sid: string, lease: string, set: Attrs, remove: Attr[]): Promise<boolean> {
      return conditionalSet(
        sid,
        "#lease = :lease AND #status = :active",
        { "#lease": "lease", "#status": "status" },
        { ":lease": lease, ":active": "active" },
        set,
        remove,
      );
    },

    /** Keeps one published order; false when that exact order was already published. */
    async publishSequence(p: PublishedSequence): Promise<boolean> {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...sequenceKey(p.sequenceId, p.hash), ...p },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    /** Every published order of a sequence, oldest first, and which ones were fully resumed. */
    async publishedSequences(
      sequenceId: string,
    ): Promise<(PublishedSequence & { resumedAt?: string })[]> {
      const items: Record<string, unknown>[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :v)",
            ExpressionAttributeValues: { ":pk": `SEQ#${sequenceId}`, ":v": "V#" },
            ConsistentRead: true,
            ExclusiveStartKey: cursor,
          }),
        );
        items.push(...(out.Items ?? []));
        cursor = out.LastEvaluatedKey;
      } while (cursor);
      return items
        .map(({ pk: _pk, sk: _sk, ...rest }) => rest as unknown as PublishedSequence)
        .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
    },

    /** Notes that completed subscribers were offered the lessons of this order. */
    async markResumed(sequenceId: string, hash: string, at: string): Promise<void> {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: sequenceKey(sequenceId, hash),
          UpdateExpression: "SET resumedAt = :at",
          ExpressionAttributeValues: { ":at": at },
        }),
      );
    },

    /** Erases everything stored under a subscriber (profile and click records). */
    async erase(sid: string): Promise<void> {
      const { pk } = subscriberKey(sid);
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": pk },
            ProjectionExpression: "pk, sk",
            ExclusiveStartKey: cursor,
          }),
        );
        const keys = page.Items ?? [];
        for (let i = 0; i < keys.length; i += 25) {
          let requests: Record<string, unknown>[] | undefined = keys
            .slice(i, i + 25)
            .map((Key) => ({ DeleteRequest: { Key } }));
          // DynamoDB may leave some deletes undone (throttling): retry those until none are left.
          for (let attempt = 0; requests?.length; attempt++) {
            if (attempt > 0)
              await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt)));
            if (attempt >= 12) throw new Error("erase: deletes left undone after retries");
            const out = await doc.send(
              new BatchWriteCommand({ RequestItems: { [TableName]: requests as never } }),
            );
            requests = out.UnprocessedItems?.[TableName] as Record<string, unknown>[] | undefined;
          }
        }
        cursor = page.LastEvaluatedKey;
      } while (cursor);
    },

    /** Sharded counters for the owner's report (see ./counters). */
    counters,

    /** Owner logins and sessions (see ./owner-store). */
    owners: createOwnerStore(doc, TableName),

    /**
     * Adds to the funnel's counters for `day` (UTC) and for all time: one atomic ADD each, on
     * a random shard, so a burst spreads over several items and the sums stay exact.
     */
    async count(day: string, counts: Counts): Promise<void> {
      await Promise.all([counters.add(`day:${day}`, counts), counters.add("all", counts)]);
    },

    /**
     * One page of every subscriber, for the owner's export only: a Scan reads the whole table,
     * which is right for "everyone" and wrong for anything on a hot path.
     */
    async scanSubscribers(cursor?: Record<string, unknown>) {
      const out = await doc.send(
        new ScanCommand({
          TableName,
          FilterExpression: "sk = :profile",
          ExpressionAttributeValues: { ":profile": "PROFILE" },
          ExclusiveStartKey: cursor,
        }),
      );
      const items = (out.Items ?? []).map((i) => toSubscriber(i) as Subscriber);
      return { items, cursor: out.LastEvaluatedKey };
    },

    /** The funnel's counters for one day, summed over their shards. */
    async stats(day: string): Promise<Counts> {
      return (await counters.read([`day:${day}`])).get(`day:${day}`) ?? {};
    },

    /**
     * Sets `attr` to `at` unless it is already set; true only for the one call that set it.
     * The subscriber's version is left alone: this flag races with no decision.
     */
    async markOnce(sid: string, attr: "firstClickAt" | "watchedAt", at: string): Promise<boolean> {
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: subscriberKey(sid),
            UpdateExpression: "SET #a = :at",
            ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(#a)",
            ExpressionAttributeNames: { "#a": attr },
            ExpressionAttributeValues: { ":at": at },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    /**
     * Adds `emailId` to the set of emails the subscriber clicked in; true only for the call
     * that added it (so each email counts each person once).
     */
    async markEmailClicked(sid: string, emailId: string): Promise<boolean> {
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: subscriberKey(sid),
            UpdateExpression: "ADD clickedEmails :one",
            ConditionExpression:
              "attribute_exists(pk) AND (attribute_not_exists(clickedEmails) OR NOT contains(clickedEmails, :id))",
            ExpressionAttributeValues: { ":one": new Set([emailId]), ":id": emailId },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    /** How many entries of one due shard fall due at or before `untilIso` (counted, not read). */
    async countDue(shard: string, untilIso: string): Promise<number> {
      let total = 0;
      let cursor: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName,
            IndexName: TABLE.dueIndex,
            KeyConditionExpression: "#shard = :shard AND #dueAt <= :until",
            ExpressionAttributeNames: { "#shard": TABLE.dueShard, "#dueAt": TABLE.dueAt },
            ExpressionAttributeValues: { ":shard": shard, ":until": untilIso },
            Select: "COUNT",
            ExclusiveStartKey: cursor,
          }),
        );
        total += out.Count ?? 0;
        cursor = out.LastEvaluatedKey;
      } while (cursor);
      return total;
    },
  };
}

export type Store = ReturnType<typeof createStore>;

import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { CLICKS_KEPT, type ClickEntry, keepLatest } from "../core/limits";
import { subscriberKey } from "./table";

export interface ClickRecord {
  link: string;
  at: string;
  scanner: boolean;
  /** The id of the email the link was in, where known. */
  email?: string;
}

/** One item per subscriber and link: the latest few opens and how many there were in all. */
interface ClicksItem {
  link: string;
  recent: ClickEntry[];
  total: number;
}

const isConditionFailure = (e: unknown) =>
  (e as { name?: string })?.name === "ConditionalCheckFailedException";

/** Writers that meet on one link's item take turns this many times before one gives way. */
const ATTEMPTS = 3;

/**
 * Click records under the subscriber's partition (erased with them), bounded: one item per
 * link (`CLICKS#<link>`) holding the latest `CLICKS_KEPT` opens by people and by scanners and
 * a total. Older items, one per click (`CLICK#<time>#<link>`), are still read.
 */
export function clickItems(doc: DynamoDBDocumentClient, TableName: string) {
  async function profileExists(sid: string) {
    const out = await doc.send(
      new GetCommand({
        TableName,
        Key: subscriberKey(sid),
        ConsistentRead: true,
        ProjectionExpression: "pk",
      }),
    );
    return out.Item !== undefined;
  }

  return {
    /**
     * Adds one open of `click.link` to the subscriber's record of it. A read and one conditional
     * put (and a look at the profile when the item is new); when others write the same item at
     * the same moment and keep winning, this open is left out (false).
     */
    async recordClick(sid: string, click: ClickRecord): Promise<boolean> {
      const Key = { pk: `SUB#${sid}`, sk: `CLICKS#${click.link}` };
      const entry: ClickEntry = { at: click.at, scanner: click.scanner };
      if (click.email !== undefined) entry.email = click.email;
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const out = await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
        const item = out.Item as ClicksItem | undefined;
        const next: ClicksItem = {
          link: click.link,
          recent: keepLatest(item?.recent ?? [], entry, CLICKS_KEPT),
          total: (item?.total ?? 0) + 1,
        };
        try {
          await doc.send(
            new PutCommand({
              TableName,
              Item: { ...Key, ...next },
              ConditionExpression: item ? "#total = :total" : "attribute_not_exists(pk)",
              ...(item
                ? {
                    ExpressionAttributeNames: { "#total": "total" },
                    ExpressionAttributeValues: { ":total": item.total },
                  }
                : {}),
            }),
          );
          // Created beside a profile that an erase may have just deleted (no transactions):
          // look again, and take the record back if the subscriber is gone.
          if (!item && !(await profileExists(sid))) {
            await doc.send(new DeleteCommand({ TableName, Key }));
            return false;
          }
          return true;
        } catch (e) {
          if (!isConditionFailure(e)) throw e;
        }
      }
      return false;
    },

    /** Every kept click of a subscriber, oldest first. */
    async clicks(sid: string): Promise<ClickRecord[]> {
      const records: ClickRecord[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :click)",
            ExpressionAttributeValues: { ":pk": `SUB#${sid}`, ":click": "CLICK" },
            ExclusiveStartKey,
          }),
        );
        for (const i of out.Items ?? []) {
          if (Array.isArray(i.recent)) {
            for (const e of i.recent as ClickEntry[]) {
              const record: ClickRecord = { link: i.link, at: e.at, scanner: e.scanner };
              if (e.email !== undefined) record.email = e.email;
              records.push(record);
            }
          } else records.push({ link: i.link, at: i.at, scanner: i.scanner });
        }
        ExclusiveStartKey = out.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    },
  };
}

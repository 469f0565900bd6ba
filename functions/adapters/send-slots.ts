import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SlotTable } from "../funnel/send-slots";
import { sendSlotKey } from "./table";

const isConditionFailure = (e: unknown) =>
  (e as { name?: string })?.name === "ConditionalCheckFailedException";

const names = {
  "#holder": "holder",
  "#lease": "leaseUntil",
  "#next": "next",
  "#nextUntil": "nextUntil",
};

/**
 * The send slots as items of the subscriber table, one conditional UpdateItem per claim,
 * release or mark; no reads. The claim's condition is the pure rule `claimable`
 * (functions/core/send-slots.ts), and it returns the item as it was, so the new holder
 * inherits its window.
 * @example const slots = slotTable(dynamoDoc(), env.TABLE_NAME); await slots.claim(0, me, lease, now);
 */
export function slotTable(doc: DynamoDBDocumentClient, TableName: string): SlotTable {
  const conditional = async (input: ConstructorParameters<typeof UpdateCommand>[0]) => {
    try {
      return await doc.send(new UpdateCommand(input));
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  };
  return {
    async claim(index, me, leaseUntil, now) {
      const out = await conditional({
        TableName,
        Key: sendSlotKey(index),
        UpdateExpression: "SET #holder = :me, #lease = :lease REMOVE #next, #nextUntil",
        ConditionExpression:
          "(attribute_not_exists(#lease) OR #lease <= :now OR #holder = :me) AND " +
          "(attribute_not_exists(#nextUntil) OR #nextUntil <= :now OR #next = :me)",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ":me": me, ":lease": leaseUntil, ":now": now },
        ReturnValues: "ALL_OLD",
      });
      if (out === false) return false;
      const item = out.Attributes;
      if (!item) return undefined;
      return {
        holder: item.holder as string | undefined,
        leaseUntil: Number(item.leaseUntil ?? 0),
        starts: (item.starts as number[] | undefined)?.map(Number),
      };
    },

    async release(index, me, leaseUntil, starts) {
      // Only this claim's own lease: if it ran out and another instance holds the slot now,
      // nothing is written.
      await conditional({
        TableName,
        Key: sendSlotKey(index),
        UpdateExpression: "SET #lease = :zero, #starts = :starts",
        ConditionExpression: "#holder = :me AND #lease = :lease",
        ExpressionAttributeNames: {
          "#holder": "holder",
          "#lease": "leaseUntil",
          "#starts": "starts",
        },
        ExpressionAttributeValues: {
          ":me": me,
          ":lease": leaseUntil,
          ":zero": 0,
          ":starts": starts,
        },
      });
    },

    async mark(index, me, until, now) {
      await conditional({
        TableName,
        Key: sendSlotKey(index),
        UpdateExpression: "SET #next = :me, #nextUntil = :until",
        ConditionExpression:
          "attribute_not_exists(#nextUntil) OR #nextUntil <= :now OR #next = :me",
        ExpressionAttributeNames: { "#next": "next", "#nextUntil": "nextUntil" },
        ExpressionAttributeValues: { ":me": me, ":until": until, ":now": now },
      });
    },
  };
}

import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";

/**
 * The owner's login links and sessions. Items are keyed by a hash of the secret the browser
 * holds, never the secret itself, so reading the table does not let anyone in. Expiry is
 * checked in code; `expiresAt` (epoch seconds) is only DynamoDB's cleanup hint.
 */
export interface OwnerSession {
  email: string;
  expiresAtMs: number;
}

const isConditionFailure = (e: unknown) =>
  (e as { name?: string })?.name === "ConditionalCheckFailedException";
const loginKey = (hash: string) => ({ pk: `OWNER#LOGIN#${hash}`, sk: "LOGIN" });
const sessionKey = (hash: string) => ({ pk: `OWNER#SESSION#${hash}`, sk: "SESSION" });
const mailKey = (ownerKey: string) => ({ pk: `OWNER#MAIL#${ownerKey}`, sk: "LIMIT" });
const ttl = (ms: number) => Math.ceil(ms / 1000) + 86_400;

export function createOwnerStore(doc: DynamoDBDocumentClient, TableName: string) {
  return {
    /** Records a login link that has not been used yet. */
    async createLogin(hash: string, email: string, expiresAtMs: number): Promise<void> {
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...loginKey(hash), email, expiresAtMs, expiresAt: ttl(expiresAtMs) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    },

    /**
     * Uses a login link: one conditional write, so of two concurrent uses exactly one wins.
     * Returns the owner's address, or undefined when the link is unknown, used or expired.
     */
    async redeemLogin(hash: string, nowMs: number): Promise<string | undefined> {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: loginKey(hash),
            UpdateExpression: "SET usedAtMs = :now",
            ConditionExpression:
              "attribute_exists(pk) AND attribute_not_exists(usedAtMs) AND expiresAtMs > :now",
            ExpressionAttributeValues: { ":now": nowMs },
            ReturnValues: "ALL_NEW",
          }),
        );
        return out.Attributes?.email as string | undefined;
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },

    async createSession(hash: string, session: OwnerSession): Promise<void> {
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...sessionKey(hash), ...session, expiresAt: ttl(session.expiresAtMs) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    },

    /** The live session for `hash`, or undefined (unknown or expired). */
    async session(hash: string, nowMs: number): Promise<OwnerSession | undefined> {
      const out = await doc.send(new GetCommand({ TableName, Key: sessionKey(hash) }));
      const item = out.Item;
      if (!item || !(Number(item.expiresAtMs) > nowMs)) return undefined;
      return { email: String(item.email), expiresAtMs: Number(item.expiresAtMs) };
    },

    async endSession(hash: string): Promise<void> {
      await doc.send(new DeleteCommand({ TableName, Key: sessionKey(hash) }));
    },

    /**
     * Whether another login email may go to this owner now: at most one per `gapMs`, decided
     * by one conditional write, so concurrent requests on several instances send one email.
     */
    async allowLoginMail(ownerKey: string, nowMs: number, gapMs: number): Promise<boolean> {
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: mailKey(ownerKey),
            UpdateExpression: "SET lastAtMs = :now, expiresAt = :ttl",
            ConditionExpression: "attribute_not_exists(lastAtMs) OR lastAtMs <= :before",
            ExpressionAttributeValues: {
              ":now": nowMs,
              ":before": nowMs - gapMs,
              ":ttl": ttl(nowMs + gapMs),
            },
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },
  };
}

export type OwnerStore = ReturnType<typeof createOwnerStore>;

/** The one table's key schema, shared by the store, the local stack and the CDK construct. */
export const TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  dueIndex: "due",
  dueShard: "dueShard",
  dueAt: "dueAt",
  ttl: "expiresAt",
  /** Attributes the due index carries besides its keys. */
  dueProjection: ["step", "status"],
} as const;

export const subscriberKey = (sid: string) => ({ pk: `SUB#${sid}`, sk: "PROFILE" });
/** One published order of a sequence, keyed by the content hash of that order. */
export const sequenceKey = (sequenceId: string, hash: string) => ({
  pk: `SEQ#${sequenceId}`,
  sk: `V#${hash}`,
});
/** One of the send slots that the send workers lease to share the SES rate. */
export const sendSlotKey = (index: number) => ({ pk: `SENDSLOT#${index}`, sk: "SLOT" });

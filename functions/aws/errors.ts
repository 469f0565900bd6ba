/** SQS did not accept some send jobs; their claims fall due again when the lease runs out. */
export class QueueError extends Error {
  override name = "QueueError";
}

/** An event from EventBridge that is not an SES bounce or complaint record. */
export class SesEventError extends Error {
  override name = "SesEventError";
}

/** A secret's value is missing or too short to be a key. */
export class SecretError extends Error {
  override name = "SecretError";
}

import { createStore } from "../adapters/store";
import type { Clock } from "../core/ports";
import { dynamoDoc } from "./clients";
import { readEnv } from "./env";

/**
 * Lambda-side wiring shared by every function. Nothing here imports rendering code or an SDK
 * client beyond DynamoDB's; each function adds its own (./sending.ts for web and send,
 * ./dispatching.ts, ./feedback-deps.ts), so a bundle loads only what it calls. Each is built
 * once per cold start.
 */

/** A claim holds this long; a job still in SQS retries after that is claimed afresh. */
export const LEASE_MS = 15 * 60_000;
export const clock: Clock = { now: () => Date.now() };

export function subscriberStore() {
  return createStore(dynamoDoc(), readEnv(["TABLE_NAME"]).TABLE_NAME);
}

/** The origin secret's ARN (web only; its values are read by ./origin-secret.ts). */
export function originSecretArn(): string {
  return readEnv(["ORIGIN_SECRET_ARN"]).ORIGIN_SECRET_ARN;
}

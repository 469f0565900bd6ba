import { createStore } from "../adapters/store";
import { claimBudget } from "../core/claims";
import type { Clock, JobQueue, Logger } from "../core/ports";
import { dynamoDoc, secretsClient, sesClient, sqsClient } from "./clients";
import { readEnv } from "./env";
import { createLogger } from "./logger";
import { createSqsQueue, queueBacklog, retryBackoff } from "./queue";
import { sesSendQuota } from "./quota";
import { readKey } from "./secrets";
import type { FeedbackDeps } from "./ses-events";

/**
 * Lambda-side wiring shared by every function, and the two light functions' collaborators.
 * Nothing here imports rendering code, so the dispatch and feedback bundles stay small; the
 * web and send functions add theirs in ./sending.ts. Each is built once per cold start.
 */

/** A claim holds this long; a job still in SQS retries after that is claimed afresh. */
export const LEASE_MS = 15 * 60_000;
export const clock: Clock = { now: () => Date.now() };

export function subscriberStore() {
  return createStore(dynamoDoc(), readEnv(["TABLE_NAME"]).TABLE_NAME);
}

export function sendQueue(): JobQueue {
  return createSqsQueue(sqsClient(), readEnv(["QUEUE_URL"]).QUEUE_URL);
}

/** Messages waiting in the send queue's dead-letter queue (the owner's dashboard shows it). */
export function deadLetterDepth(): () => Promise<number> {
  const { DEAD_LETTER_QUEUE_URL } = readEnv(["DEAD_LETTER_QUEUE_URL"]);
  return () => queueBacklog(sqsClient(), DEAD_LETTER_QUEUE_URL);
}

/** Delays the next delivery of a send job that must be retried (see {@link retryBackoff}). */
export function sendRetries(logger: Logger) {
  return retryBackoff(sqsClient(), readEnv(["QUEUE_URL"]).QUEUE_URL, logger);
}

/** The link-signing key (Secrets Manager), read once per cold start by the caller. */
export function tokenKey(): Promise<string> {
  return readKey(secretsClient(), readEnv(["TOKEN_KEY_SECRET_ARN"]).TOKEN_KEY_SECRET_ARN);
}

/** The subscriber-id key (Secrets Manager), read once per cold start by the caller. */
export function idKey(): Promise<string> {
  return readKey(secretsClient(), readEnv(["ID_KEY_SECRET_ARN"]).ID_KEY_SECRET_ARN);
}

/** The origin secret's ARN (web only; its values are read by ./origin-secret.ts). */
export function originSecretArn(): string {
  return readEnv(["ORIGIN_SECRET_ARN"]).ORIGIN_SECRET_ARN;
}

/**
 * The scheduler tick: query the due index, claim, enqueue. No keys, no mail. Each tick claims
 * no more than the senders can send within a lease at the account's SES rate, less what the
 * queue already holds.
 */
export function dispatchDeps() {
  const { logger } = createLogger();
  const { QUEUE_URL, SES_SENDERS, SEQUENCE_PAUSED } = readEnv([
    "QUEUE_URL",
    "SES_SENDERS",
    "SEQUENCE_PAUSED",
  ]);
  const paused = SEQUENCE_PAUSED === "true";
  let quota: ReturnType<typeof sesSendQuota> | undefined;
  const budget = async () => {
    quota ??= sesSendQuota(sesClient(), SES_SENDERS, logger);
    const [q, backlog] = await Promise.all([quota, queueBacklog(sqsClient(), QUEUE_URL)]);
    return claimBudget({
      accountRate: q.accountRate(),
      senders: SES_SENDERS,
      leaseMs: LEASE_MS,
      backlog,
    });
  };
  return {
    store: subscriberStore(),
    queue: sendQueue(),
    leaseMs: LEASE_MS,
    clock,
    logger,
    paused,
    budget,
  };
}

/** The SES feedback worker: find the subscriber by address and mark them. */
export async function feedbackDeps(): Promise<FeedbackDeps> {
  const { logger } = createLogger();
  return { store: subscriberStore(), clock, logger, idKey: await idKey() };
}

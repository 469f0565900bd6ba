import { SQSClient } from "@aws-sdk/client-sqs";
import type { JobQueue, Logger, SendJob } from "../core/ports";
import { lambdaClientConfig, once } from "./clients";
import { readEnv } from "./env";
import { createSqsQueue, drainUrgent, queueBacklog, requeueLater, retryBackoff } from "./queue";

/** The SQS client of this instance (see ./clients.ts for why it has a module of its own). */
export const sqsClient = once(() => new SQSClient(lambdaClientConfig()));

/**
 * The same client, built at its first request: a queue made at cold start costs nothing until
 * it enqueues (a dispatch tick with nothing due, a landing page, never do).
 */
const sqsOnUse = {
  send: ((...args: Parameters<SQSClient["send"]>) =>
    sqsClient().send(...args)) as SQSClient["send"],
};

/** The send queue of the web function: urgent jobs (sign-in links, tests) in their own lane. */
export function sendQueue(): JobQueue {
  const { QUEUE_URL, URGENT_QUEUE_URL } = readEnv(["QUEUE_URL", "URGENT_QUEUE_URL"]);
  return createSqsQueue(sqsOnUse, QUEUE_URL, URGENT_QUEUE_URL);
}

/** The send queue of the dispatcher, which only enqueues claimed lessons. */
export function claimQueue(): JobQueue {
  return createSqsQueue(sqsOnUse, readEnv(["QUEUE_URL"]).QUEUE_URL);
}

/**
 * Before each batch, the send worker runs the urgent jobs waiting (at most ten): a sign-in
 * link waits for one batch of lessons at most, never for the backlog.
 */
export function urgentDrain(logger: Logger) {
  const { URGENT_QUEUE_URL } = readEnv(["URGENT_QUEUE_URL"]);
  return (run: (job: SendJob) => Promise<unknown>) =>
    drainUrgent(sqsClient(), URGENT_QUEUE_URL, run, logger);
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

/** Puts a halted send job back on the send queue as a new message (see {@link requeueLater}). */
export function sendRequeue(logger: Logger) {
  return requeueLater(sqsClient(), readEnv(["QUEUE_URL"]).QUEUE_URL, logger);
}

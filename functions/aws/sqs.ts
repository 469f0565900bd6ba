import { SQSClient } from "@aws-sdk/client-sqs";
import type { JobQueue, Logger } from "../core/ports";
import { once } from "./clients";
import { readEnv } from "./env";
import { createSqsQueue, queueBacklog, retryBackoff } from "./queue";

/** The SQS client of this instance (see ./clients.ts for why it has a module of its own). */
export const sqsClient = once(() => new SQSClient({}));

/** The send queue, which the web and dispatch functions fill. */
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

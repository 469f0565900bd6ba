import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { RETRY_MAX_S, retryDelaySeconds } from "../core/backoff";
import type { JobQueue, Logger, SendJob } from "../core/ports";
import { SendJobSchema } from "../funnel/jobs";
import { QueueError } from "./errors";

/** SQS takes at most 10 messages per SendMessageBatch. */
const BATCH = 10;
const ATTEMPTS = 3;

/**
 * The send queue on AWS: claimed jobs go to SQS in batches of ten, each validated with the
 * schema the send Lambda parses them with. Entries SQS refuses are retried twice; after that
 * the call throws and the claims simply fall due again when their lease runs out.
 * @example await createSqsQueue(sqsClient(), env.QUEUE_URL).enqueue([{ kind: "step", sid, email, lease }]);
 */
export function createSqsQueue(sqs: Pick<SQSClient, "send">, queueUrl: string): JobQueue {
  return {
    async enqueue(jobs) {
      for (let i = 0; i < jobs.length; i += BATCH) {
        const chunk = jobs.slice(i, i + BATCH).map((job) => SendJobSchema.parse(job));
        let entries = chunk.map((job, n) => ({ Id: String(n), MessageBody: JSON.stringify(job) }));
        for (let attempt = 0; entries.length > 0 && attempt < ATTEMPTS; attempt++) {
          const out = await sqs.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
          );
          const failed = new Set((out.Failed ?? []).map((f) => f.Id));
          entries = entries.filter((e) => failed.has(e.Id));
        }
        if (entries.length > 0) {
          throw new QueueError(`SQS refused ${entries.length} of ${chunk.length} send jobs`);
        }
      }
    },
  };
}

/** A send job from an SQS message body; throws (zod or JSON) on anything else. */
export function parseJob(body: string): SendJob {
  return SendJobSchema.parse(JSON.parse(body));
}

/**
 * Makes a received message visible again `seconds` from now (ChangeMessageVisibility), so
 * SQS redelivers it then instead of after the queue's visibility timeout.
 * @example await delayRetry(sqsClient(), env.QUEUE_URL, record.receiptHandle, 40);
 */
export async function delayRetry(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  receiptHandle: string,
  seconds: number,
): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

/** How many times SQS has delivered this record, this delivery included (1 if unreadable). */
export const receiveCount = (record: Pick<SQSRecord, "attributes">) =>
  Number(record.attributes?.ApproximateReceiveCount) || 1;

/**
 * Backs off a record whose send must be retried: its next delivery comes after a jittered,
 * exponentially growing delay (functions/core/backoff.ts) for its receive count. Never throws:
 * if SQS refuses the change, that is logged and the record is redelivered after the queue's
 * visibility timeout as before; the caller still reports the record as failed.
 * @example const backOff = retryBackoff(sqs, url, logger); await backOff(record); throw error;
 */
export function retryBackoff(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  logger: Logger,
  random: () => number = Math.random,
) {
  return async (
    record: Pick<SQSRecord, "receiptHandle" | "attributes">,
    /** When the sender knows better (sending halted until then), at least this long. */
    atLeastMs = 0,
  ): Promise<void> => {
    const attempt = receiveCount(record);
    const halt = Math.min(RETRY_MAX_S, Math.ceil(atLeastMs / 1000));
    const seconds = Math.max(halt, retryDelaySeconds(attempt, random));
    try {
      await delayRetry(sqs, queueUrl, record.receiptHandle, seconds);
      logger.info("send retry delayed", { attempt, seconds });
    } catch (e) {
      logger.warn("could not delay the send retry; it follows the visibility timeout", {
        attempt,
        error: (e as Error)?.name ?? "error",
      });
    }
  };
}

/**
 * How many jobs the queue holds: waiting, in flight and delayed (SQS's approximate counts).
 * @example const backlog = await queueBacklog(sqsClient(), env.QUEUE_URL);
 */
export async function queueBacklog(sqs: Pick<SQSClient, "send">, queueUrl: string) {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

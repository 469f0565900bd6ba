import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { RETRY_MAX_S, retryDelaySeconds } from "../core/backoff";
import type { JobQueue, Logger, SendJob } from "../core/ports";
import { isUrgent, SendJobSchema } from "../funnel/jobs";
import { QueueError } from "./errors";

/** SQS takes at most 10 messages per SendMessageBatch. */
const BATCH = 10;
const ATTEMPTS = 3;

/**
 * The send queue on AWS: jobs go to SQS in batches of ten, each validated with the schema the
 * send Lambda parses them with. Entries SQS refuses are retried twice; after that the call
 * throws and the claims simply fall due again when their lease runs out. With `urgentUrl`,
 * urgent jobs (owners' sign-in links, tests) go to that small queue instead, followed by a
 * wake job on the send queue, so a send worker drains them first (see {@link drainUrgent}).
 * @example await createSqsQueue(sqsClient(), env.QUEUE_URL).enqueue([{ kind: "step", sid, email, lease }]);
 */
export function createSqsQueue(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  urgentUrl?: string,
): JobQueue {
  const put = async (url: string, jobs: SendJob[]) => {
    for (let i = 0; i < jobs.length; i += BATCH) {
      const chunk = jobs.slice(i, i + BATCH).map((job) => SendJobSchema.parse(job));
      let entries = chunk.map((job, n) => ({ Id: String(n), MessageBody: JSON.stringify(job) }));
      for (let attempt = 0; entries.length > 0 && attempt < ATTEMPTS; attempt++) {
        const out = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        entries = entries.filter((e) => failed.has(e.Id));
      }
      if (entries.length > 0) {
        throw new QueueError(`SQS refused ${entries.length} of ${chunk.length} send jobs`);
      }
    }
  };
  return {
    async enqueue(jobs) {
      const urgent = urgentUrl ? jobs.filter(isUrgent) : [];
      if (urgent.length > 0 && urgentUrl) {
        await put(urgentUrl, urgent);
        await put(queueUrl, [...jobs.filter((j) => !isUrgent(j)), { kind: "wake" }]);
      } else {
        await put(queueUrl, jobs);
      }
    },
  };
}

/** Urgent jobs one drain takes at most (one ReceiveMessage): the drip batch waits for them. */
const URGENT_BATCH = 10;

/**
 * Runs the urgent jobs waiting in `urgentUrl` (at most ten, without waiting for more) through
 * `run`, and deletes those that succeeded; a failed one becomes visible again after the urgent
 * queue's visibility timeout and is retried by a later drain (or parked in the dead-letter
 * queue). Never throws: the drip batch that follows must run whatever happens here.
 * @example await drainUrgent(sqsClient(), env.URGENT_QUEUE_URL, (job) => runJob(deps, job), logger);
 */
export async function drainUrgent(
  sqs: Pick<SQSClient, "send">,
  urgentUrl: string,
  run: (job: SendJob) => Promise<unknown>,
  logger: Logger,
): Promise<number> {
  try {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: urgentUrl,
        MaxNumberOfMessages: URGENT_BATCH,
        WaitTimeSeconds: 0,
      }),
    );
    const done: { Id: string; ReceiptHandle: string }[] = [];
    await Promise.all(
      (out.Messages ?? []).map(async (m, i) => {
        try {
          await run(parseJob(m.Body ?? ""));
          if (m.ReceiptHandle) done.push({ Id: String(i), ReceiptHandle: m.ReceiptHandle });
        } catch (e) {
          logger.warn("urgent send job failed; it is retried", {
            error: (e as Error)?.name ?? "error",
          });
        }
      }),
    );
    if (done.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: urgentUrl, Entries: done }));
    }
    return done.length;
  } catch (e) {
    logger.warn("could not drain the urgent queue", { error: (e as Error)?.name ?? "error" });
    return 0;
  }
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
 * Seconds until a failed delivery's retry: the jittered backoff for its receive count, or
 * `atLeastMs` (sending halted until then) if longer, that part capped at `capS`.
 */
const retrySeconds = (attempt: number, atLeastMs: number, capS: number, random: () => number) =>
  Math.max(Math.min(capS, Math.ceil(atLeastMs / 1000)), retryDelaySeconds(attempt, random));

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
    const seconds = retrySeconds(attempt, atLeastMs, RETRY_MAX_S, random);
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

/** The longest delay SQS gives a new message (DelaySeconds). */
export const MAX_DELAY_S = 900;

/**
 * Puts a received record's job back on the queue as a new message, delivered after the same
 * delay {@link retryBackoff} would give it (at least `atLeastMs` and a second, at most 15
 * minutes). A new
 * message starts again at one receive, so a job that waits out a long halt never runs out of
 * receives and lands in the dead-letter queue for no fault of its own. Resolves false (logged)
 * if SQS refused it: the caller then gives the record back as before.
 * @example if (await requeue(record, error.retryInMs)) return; // SQS deletes the original
 */
export function requeueLater(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  logger: Logger,
  random: () => number = Math.random,
) {
  return async (
    record: Pick<SQSRecord, "body" | "attributes">,
    atLeastMs = 0,
  ): Promise<boolean> => {
    const attempt = receiveCount(record);
    // At least a second: the job waits for a halt or a free slot, so an at-once redelivery
    // (the jitter's zero) would only meet the same refusal again.
    const seconds = Math.max(1, retrySeconds(attempt, atLeastMs, MAX_DELAY_S, random));
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: record.body,
          DelaySeconds: seconds,
        }),
      );
      logger.info("send job put back on the queue", { attempt, seconds });
      return true;
    } catch (e) {
      logger.warn("could not put the send job back on the queue; it is given back instead", {
        attempt,
        error: (e as Error)?.name ?? "error",
      });
      return false;
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

import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { JobQueue, SendJob } from "../core/ports";
import { SendJobSchema } from "../funnel/jobs";
import { QueueError } from "./errors";

/** SQS takes at most 10 messages per SendMessageBatch. */
const BATCH = 10;
const ATTEMPTS = 3;

/**
 * The send queue on AWS: claimed jobs go to SQS in batches of ten, each validated with the
 * schema the send Lambda parses them with. Entries SQS refuses are retried twice; after that
 * the call throws and the claims simply fall due again when their lease runs out.
 * @example await createSqsQueue(sqsClient(), env.QUEUE_URL).enqueue([{ sid, step: 0, lease }]);
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

import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { parseJob } from "../aws/queue";
import { sendDeps } from "../aws/sending";
import { sendRetries } from "../aws/wiring";
import { RetryableSendError } from "../funnel/drip";
import { runJob } from "../funnel/worker";

const deps = await sendDeps();
const backOff = sendRetries(deps.logger);
const processor = new BatchProcessor(EventType.SQS);

/**
 * One claimed job. Throwing (RetryableSendError, a bad body) makes it a batch item failure;
 * a retryable one is first given a jittered, growing delay before SQS delivers it again.
 */
async function record(message: SQSRecord) {
  try {
    return await runJob(deps, parseJob(message.body));
  } catch (error) {
    if (error instanceof RetryableSendError) await backOff(message);
    throw error;
  }
}

/**
 * SQS -> send. Records are sent one after another (the queue's max concurrency caps the rate);
 * failed ones are reported back so SQS retries only them (throttled sends after their backoff,
 * others after the visibility timeout), and sends them to the DLQ after the max receive count.
 */
export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, record, processor, { context, processInParallel: false });
}

import type { Context, SQSEvent } from "aws-lambda";
import { sendBatch } from "../aws/send-batch";
import { sendDeps } from "../aws/send-deps";
import { sendRequeue, sendRetries, urgentDrain } from "../aws/sqs";
import { runJob } from "../funnel/worker";

const deps = await sendDeps();
const run = (job: Parameters<typeof runJob>[1]) => runJob(deps, job);
// The batch's counts (the urgent jobs' included) are written before the invocation ends.
const batch = sendBatch(
  run,
  sendRetries(deps.logger),
  deps.logger,
  deps.flushCounts,
  sendRequeue(deps.logger),
);
const drain = urgentDrain(deps.logger);

/**
 * SQS -> send. A send slot first (a share of the account's rate, with the window its last
 * holder left), then the urgent jobs waiting (owners' sign-in links, tests), then the batch's
 * records at once, all through this instance's paced sender; the slot is freed at the end.
 * Failed records are reported back so SQS retries only them, after a jittered backoff (or
 * until a halt ends); with no slot free, every job is given back as if sending were halted.
 * An account-level SES refusal or a real error also fails the invocation (the errors alarm).
 */
export const handler = async (event: SQSEvent, context: Context) => {
  const slot = await deps.slots.claim(context.getRemainingTimeInMillis());
  try {
    if (slot.index !== undefined) await drain(run);
    return await batch(event, context);
  } finally {
    await slot.release();
  }
};

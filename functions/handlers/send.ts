import type { Context, SQSEvent } from "aws-lambda";
import { sendBatch } from "../aws/send-batch";
import { sendDeps } from "../aws/send-deps";
import { sendRetries, urgentDrain } from "../aws/sqs";
import { runJob } from "../funnel/worker";

const deps = await sendDeps();
const run = (job: Parameters<typeof runJob>[1]) => runJob(deps, job);
// The batch's counts (the urgent jobs' included) are written before the invocation ends.
const batch = sendBatch(run, sendRetries(deps.logger), deps.logger, deps.flushCounts);
const drain = urgentDrain(deps.logger);

/**
 * SQS -> send. First the urgent jobs waiting (owners' sign-in links, tests), then the batch's
 * records at once, all through this instance's paced sender. Failed records are reported back
 * so SQS retries only them, after a jittered backoff (or until a halt ends); an account-level
 * SES refusal or a real error also fails the invocation (the errors alarm).
 */
export const handler = async (event: SQSEvent, context: Context) => {
  // SQS may hand this batch to another instance than the one that ran the last: wait out
  // what that one may have sent in the last second, unless this one sent within it.
  deps.mailer.handover();
  await drain(run);
  return batch(event, context);
};

import { sendBatch } from "../aws/send-batch";
import { sendDeps } from "../aws/sending";
import { sendRetries } from "../aws/sqs";
import { runJob } from "../funnel/worker";

const deps = await sendDeps();

/**
 * SQS -> send, one record after another through this instance's paced sender. Failed records
 * are reported back so SQS retries only them, after a jittered backoff (or until a halt ends);
 * an account-level SES refusal or a real error also fails the invocation (the errors alarm).
 */
export const handler = sendBatch(
  (job) => runJob(deps, job),
  sendRetries(deps.logger),
  deps.logger,
  deps.flushCounts,
);

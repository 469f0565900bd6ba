import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Logger, SendJob } from "../core/ports";
import { AccountRefusedError, RetryableSendError, SendingHaltedError } from "../funnel/errors";
import { parseJob, receiveCount } from "./queue";

/**
 * Deliveries of a drip step that found sending halted before it leaves the queue to its claim
 * in the table. Below the queue's maxReceiveCount (infra/aws/constructs/drip.ts), so a long
 * account refusal parks nothing in the dead-letter queue; a short one is retried from the
 * queue as usual.
 */
export const HALTED_RECEIVES = 3;

/** Some jobs of the batch failed in a way a person must hear of; SQS retries the batch. */
export class SendBatchError extends Error {
  override name = "SendBatchError";
}

type BackOff = (record: SQSRecord, atLeastMs?: number) => Promise<void>;
/** Puts the record's job back on the queue as a new message; false if that failed. */
type Requeue = (record: SQSRecord, atLeastMs?: number) => Promise<boolean>;

/**
 * The send Lambda's batch handling. Each record is parsed and run; a retryable failure
 * (throttled, transient, sending halted) is given its backoff and reported as a batch item
 * failure, and the invocation succeeds: throttling is the rate working, not an error. A drip
 * step that found sending halted {@link HALTED_RECEIVES} times is dropped from the queue (its
 * claim in the table falls due again); any other job (a confirmation has no claim to fall back
 * on) is put back on the queue as a new message through `requeue`, so a long refusal, or a
 * long wait for a send slot, parks nothing in the dead-letter queue. An
 * account-level SES refusal, a malformed body or any other error also fails the invocation,
 * so the Lambda errors alarm fires; SQS then delivers the batch again, and jobs that were
 * already sent are skipped by the look before sending.
 * @example export const handler = sendBatch((job) => runJob(deps, job), backOff, logger);
 */
export function sendBatch(
  run: (job: SendJob) => Promise<unknown>,
  backOff: BackOff,
  logger: Logger,
  /** Runs after every batch, e.g. writes the counters the batch added up. */
  after: () => Promise<void> = async () => {},
  requeue?: Requeue,
) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const alarming: string[] = [];
    const record = async (message: SQSRecord) => {
      let job: SendJob | undefined;
      try {
        job = parseJob(message.body);
        return await run(job);
      } catch (error) {
        const halted = error instanceof SendingHaltedError && job !== undefined;
        if (halted && receiveCount(message) >= HALTED_RECEIVES) {
          // No SES call was made. Kept in the queue, a long halt would use up the job's
          // receives and park it in the dead-letter queue for no fault of its own.
          if (job?.kind === "step") {
            // The table keeps the work due: the claim falls due again when its lease runs out.
            logger.info("send halted; the claim falls due again after its lease");
            return;
          }
          // Nothing else keeps it: a new message, back at one receive (the original is deleted).
          if (requeue && (await requeue(message, error.retryInMs))) return;
        }
        if (error instanceof RetryableSendError) await backOff(message, error.retryInMs);
        if (!(error instanceof RetryableSendError) || error instanceof AccountRefusedError) {
          alarming.push((error as Error)?.name ?? "error");
        }
        throw error;
      }
    };
    const response = await processPartialResponse(
      event,
      record,
      new BatchProcessor(EventType.SQS),
      {
        context,
        // All records at once: the paced sender orders their SES calls, and each one's reads,
        // compose and SES round trip overlap the others' waits. One after another, a worker
        // would send at most one email per round trip, below its share of the rate.
        processInParallel: true,
        throwOnFullBatchFailure: false,
      },
    ).finally(async () => {
      // The batch's counts are written before the invocation ends (a frozen instance writes
      // nothing); a failure here is logged, not a reason to send the batch again.
      await after().catch((e) =>
        logger.error("counters not written", { error: (e as Error)?.name ?? "error" }),
      );
    });
    if (alarming.length > 0) {
      logger.error("send batch failed", { errors: [...new Set(alarming)], count: alarming.length });
      throw new SendBatchError(
        `${alarming.length} send jobs failed: ${[...new Set(alarming)].join(", ")}`,
      );
    }
    return response;
  };
}

import type { SendJob } from "../core/ports";
import { type ConfirmationDeps, sendConfirmation } from "./confirmations";
import { type SendOutcome, sendJob } from "./drip";
import { AccountRefusedError } from "./errors";

/**
 * The send worker's one entry: a job from the send queue, routed by its kind. Both kinds go
 * through the same sender, so confirmations and lessons share one SES rate budget and one halt.
 */
export async function runJob(deps: ConfirmationDeps, job: SendJob): Promise<SendOutcome> {
  try {
    return job.kind === "confirm" ? await sendConfirmation(deps, job) : await sendJob(deps, job);
  } catch (error) {
    if (error instanceof AccountRefusedError) {
      deps.logger.error("SES refused the account: sending halted for everyone", {
        error: (error.cause as Error)?.name ?? "error",
        retryInMs: error.retryInMs,
      });
    }
    throw error;
  }
}

import type { SendJob } from "../core/ports";
import { sendConfirmation } from "./confirmations";
import { type DripDeps, type SendOutcome, sendJob } from "./drip";

/**
 * The send worker's one entry: a job from the send queue, routed by its kind. Both kinds are
 * paced by the same mailer, so confirmations and lessons share one SES rate budget.
 */
export function runJob(deps: DripDeps, job: SendJob): Promise<SendOutcome> {
  return job.kind === "confirm" ? sendConfirmation(deps, job) : sendJob(deps, job);
}

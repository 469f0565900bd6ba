import type { SendJob } from "../core/ports";
import { sendConfirmation } from "./confirmations";
import { sendDataLinks } from "./data-links";
import { type SendOutcome, sendJob } from "./drip";
import { AccountRefusedError } from "./errors";
import { type OwnerMailDeps, sendSigninLink, sendTestJob } from "./owner-mail";

/** What the send worker needs: the drip's collaborators, the id key and the site's address. */
export type WorkerDeps = OwnerMailDeps;

/** Each job kind's sender. */
function route(deps: WorkerDeps, job: SendJob): Promise<SendOutcome> {
  switch (job.kind) {
    case "confirm":
      return sendConfirmation(deps, job);
    case "data-links":
      return sendDataLinks(deps, job);
    case "signin":
      return sendSigninLink(deps, job);
    case "test":
      return sendTestJob(deps, job);
    case "wake":
      return Promise.resolve("skipped");
    default:
      return sendJob(deps, job);
  }
}

/**
 * The send worker's one entry: a job from the send queue, routed by its kind. Every kind goes
 * through the same sender, so confirmations, requested links, lessons and owners' emails share one SES rate
 * budget and one halt.
 */
export async function runJob(deps: WorkerDeps, job: SendJob): Promise<SendOutcome> {
  try {
    return await route(deps, job);
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

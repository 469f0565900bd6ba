import type { ConfirmJob } from "../core/ports";
import type { DripDeps, SendOutcome } from "./drip";

/**
 * Sends the confirmation email a signup queued, through the same paced senders as the drip.
 * Only a subscriber who is still pending gets it; anyone who confirmed, left or was erased
 * meanwhile gets nothing.
 */
export async function sendConfirmation(deps: DripDeps, job: ConfirmJob): Promise<SendOutcome> {
  const sub = await deps.store.get(job.sid);
  if (sub?.status !== "pending") return "skipped";
  const email = await deps.composer.confirmation(sub, deps.clock.now());
  await deps.mailer.send(email);
  deps.logger.info("sent", { message: "confirm" });
  return "sent";
}

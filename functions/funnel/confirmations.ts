import type { ConfirmJob } from "../core/ports";
import type { DripDeps, SendOutcome } from "./drip";

/**
 * Sends the confirmation email a signup queued, through the same paced sender as the drip.
 * Right before SES it looks again: only a subscriber who is still pending gets it; anyone who
 * confirmed, left or was erased meanwhile gets nothing.
 */
export async function sendConfirmation(deps: DripDeps, job: ConfirmJob): Promise<SendOutcome> {
  const out = await deps.mailer.deliver(
    async () => {
      const sub = await deps.store.get(job.sid);
      return sub?.status === "pending" ? sub : undefined;
    },
    (sub) => deps.composer.confirmation(sub, deps.clock.now()),
  );
  if (out.kind === "skipped") return "skipped";
  if (out.kind === "refused") {
    deps.logger.warn("recipient refused the confirmation", { reason: out.reason });
    return "failed";
  }
  deps.logger.info("sent", { message: "confirm" });
  return "sent";
}

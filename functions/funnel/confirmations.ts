import { canonicalMailbox } from "../core/email-address";
import { CONFIRM_THROTTLE, REMINDER_THROTTLE } from "../core/limits";
import type { ConfirmJob } from "../core/ports";
import { keyedHash } from "../core/tokens";
import { awaitsConfirmation, mayRemind } from "../core/transitions";
import type { DripDeps, SendOutcome } from "./drip";
import { countSignup } from "./stats";

export interface ConfirmationDeps extends DripDeps {
  /** Keys the hash the mailbox throttle is stored under (the subscriber-id key). */
  idKey: string;
}

/** The throttle key of a mailbox: a keyed hash of its canonical form, never the address. */
export function mailboxKey(idKey: string, email: string): string {
  return keyedHash(idKey, `mailbox:${canonicalMailbox(email)}`)
    .toString("base64url")
    .slice(0, 22);
}

/**
 * The job every signup queues, sent through the same paced sender as the drip. Right before
 * SES it looks again and decides:
 * - someone waiting to confirm gets the confirmation, at most one per 10 minutes and three a
 *   day per mailbox (`a+x@` and `a.x@gmail` count as one mailbox: the limit protects a person);
 * - someone already subscribed gets their masterclass and guide links again (the welcome
 *   email; progress unchanged), at most once a day, and not within a day of confirming (the
 *   welcome has just gone: a job that waited while they confirmed sends nothing);
 * - anyone else (left, bounced, erased) gets nothing.
 * A send that fails for a passing reason gives its place in the throttle back and is retried.
 */
export async function sendConfirmation(
  deps: ConfirmationDeps,
  job: ConfirmJob,
): Promise<SendOutcome> {
  let taken: { release(): Promise<void> } | undefined;
  let kind: "confirm" | "reminder" = "confirm";
  const look = async () => {
    const sub = await deps.store.get(job.sid);
    const now = deps.clock.now();
    if (!sub) return undefined;
    if (awaitsConfirmation(sub, now)) {
      kind = "confirm";
      taken = await deps.store.throttle(
        `confirm#${mailboxKey(deps.idKey, sub.email)}`,
        CONFIRM_THROTTLE,
        now,
      );
    } else if (mayRemind(sub, now, REMINDER_THROTTLE.gapMs)) {
      kind = "reminder";
      taken = await deps.store.throttle(`reminder#${sub.sid}`, REMINDER_THROTTLE, now);
    } else {
      return undefined;
    }
    if (!taken) deps.logger.info("not sent: throttled", { message: kind });
    return taken ? sub : undefined;
  };
  let out: Awaited<ReturnType<typeof deps.mailer.deliver>>;
  try {
    out = await deps.mailer.deliver(look, (sub) =>
      kind === "confirm"
        ? deps.composer.confirmation(sub, deps.clock.now())
        : deps.composer.email(sub, deps.course.welcome.id, deps.clock.now()),
    );
  } catch (error) {
    // Not sent (throttled, halted, transient): the place in the throttle is given back.
    await taken?.release();
    throw error;
  }
  // The signup that queued this job is counted once the job is done, sent or not (a job that
  // throws is retried and counted then).
  if (job.signedUpAt) await countSignup(deps.store, job.signedUpAt);
  if (out.kind === "skipped") return "skipped";
  if (out.kind === "refused") {
    deps.logger.warn("recipient refused the email", { message: kind, reason: out.reason });
    return "failed";
  }
  deps.logger.info("sent", { message: kind });
  return "sent";
}

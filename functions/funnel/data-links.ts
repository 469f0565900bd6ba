import { DATA_LINKS_THROTTLE } from "../core/limits";
import { generationOf } from "../core/links";
import type { DataLinksJob } from "../core/ports";
import type { Subscriber } from "../core/subscriber";
import { type ConfirmationDeps, mailboxKey } from "./confirmations";
import type { SendOutcome } from "./drip";
import type { FunnelDeps } from "./subscriptions";

/**
 * Who may be sent download and erase links: anyone we still hold, except an address that
 * bounced (it cannot receive them) or complained (we never mail it again).
 */
const mayReceive = (sub: Subscriber) => sub.status !== "bounced" && sub.status !== "complained";

/**
 * "Email me a link" pressed on the manage page with a link that still speaks for `sub` (the
 * caller checked it with `linkFits`).
 * Takes one send from the mailbox's throttle (one per 10 minutes, five a day) and queues the
 * email; throttled, or for an address we do not mail, nothing is queued. The caller answers
 * the same in every case, so the page tells nobody whether an email went out. Only the
 * throttle's place is taken here, so a flood of presses never reaches the send queue.
 * Returns whether an email was queued (for tests and logs only).
 */
export async function requestDataLinks(
  deps: Pick<FunnelDeps, "store" | "queue" | "clock" | "logger" | "idKey">,
  sub: Subscriber,
): Promise<boolean> {
  if (!mayReceive(sub)) {
    deps.logger.info("data links not sent", { reason: "not mailed" });
    return false;
  }
  const now = deps.clock.now();
  const taken = await deps.store.throttle(
    `data-links#${mailboxKey(deps.idKey, sub.email)}`,
    DATA_LINKS_THROTTLE,
    now,
  );
  if (!taken) {
    deps.logger.info("data links not sent", { reason: "throttled" });
    return false;
  }
  try {
    await deps.queue.enqueue([{ kind: "data-links", sid: sub.sid, generation: generationOf(sub) }]);
  } catch (error) {
    // Not queued: the place in the throttle is given back, so pressing again works.
    await taken.release();
    throw error;
  }
  deps.logger.info("data links queued", {});
  return true;
}

/**
 * Sends the queued data-links email through the paced sender. Right before SES it looks again:
 * the record must still be the one the links were asked for (same generation: not erased
 * meanwhile) and still one we mail. The links are signed now, so their hour starts at sending.
 */
export async function sendDataLinks(
  deps: ConfirmationDeps,
  job: DataLinksJob,
): Promise<SendOutcome> {
  const out = await deps.mailer.deliver(
    async () => {
      const sub = await deps.store.get(job.sid);
      if (!sub || generationOf(sub) !== job.generation || !mayReceive(sub)) return undefined;
      return sub;
    },
    (sub) => deps.composer.dataLinks(sub, deps.clock.now()),
  );
  if (out.kind === "skipped") return "skipped";
  if (out.kind === "refused") {
    deps.logger.warn("recipient refused the email", { message: "data-links", reason: out.reason });
    return "failed";
  }
  deps.logger.info("sent", { message: "data-links" });
  return "sent";
}

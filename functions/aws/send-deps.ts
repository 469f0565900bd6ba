import { randomUUID } from "node:crypto";
import { createMailer, mailbox } from "../adapters/mailer";
import { slotTable } from "../adapters/send-slots";
import { createTally, talliedStore } from "../adapters/tally";
import type { JobQueue, Logger } from "../core/ports";
import { createSender } from "../funnel/pace";
import { type SendSlots, sendSlots } from "../funnel/send-slots";
import type { WorkerDeps } from "../funnel/worker";
import { dynamoDoc } from "./clients";
import { readEnv } from "./env";
import { sesSendQuota } from "./quota";
import { idKey } from "./secrets";
import { sending } from "./sending";
import { sesClient } from "./ses";

/**
 * The send worker's wiring: the only function that talks to SES for mail, so the only one
 * whose bundle imports the SES client for it (see ./clients.ts).
 */

/** The send Lambda never enqueues; this makes a call a loud error instead of a silent drop. */
const noQueue: JobQueue = {
  enqueue: () => Promise.reject(new Error("this function has no queue")),
};

/**
 * The SES sender, paced to the share of the account's MaxSendRate of the send slot each
 * invocation claims (functions/funnel/send-slots.ts); it sends nothing without one.
 */
async function mailer(logger: Logger) {
  const env = readEnv([
    "SENDER_EMAIL",
    "SENDER_NAME",
    "REPLY_TO",
    "CONFIGURATION_SET",
    "SES_SENDERS",
    "TABLE_NAME",
  ]);
  const ses = sesClient();
  const quota = await sesSendQuota(ses, logger);
  const mail = createMailer(ses, {
    from: mailbox(env.SENDER_NAME, env.SENDER_EMAIL),
    replyTo: env.REPLY_TO,
    configurationSetName: env.CONFIGURATION_SET,
  });
  // Epoch time: a slot's window passes between instances.
  const sender = createSender(mail, { rate: quota.accountRate, now: () => Date.now() });
  sender.hold(null);
  const slots = sendSlots(slotTable(dynamoDoc(), env.TABLE_NAME), sender, {
    slots: env.SES_SENDERS,
    rate: quota.accountRate,
    me: randomUUID(),
    logger,
  });
  return Object.assign(sender, { slots });
}

/**
 * The send worker: render, send through SES, advance; confirmations under the mailbox
 * throttle; owners' sign-in links and tests. Its counters go through a tally that
 * `flushCounts` writes once per batch.
 */
export async function sendDeps(): Promise<
  WorkerDeps & { slots: SendSlots; flushCounts(): Promise<void> }
> {
  let slots: SendSlots | undefined;
  const withSlots = async (logger: Logger) => {
    const sender = await mailer(logger);
    slots = sender.slots;
    return sender;
  };
  const [{ deps }, key] = await Promise.all([sending(noQueue, true, withSlots), idKey()]);
  const tally = createTally(deps.store.counters);
  return {
    ...deps,
    slots: slots as SendSlots,
    store: talliedStore(deps.store, tally),
    idKey: key,
    siteUrl: readEnv(["SITE_URL"]).SITE_URL,
    flushCounts: () => tally.flush(),
  };
}

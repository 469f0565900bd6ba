import { createMailer, mailbox } from "../adapters/mailer";
import { createTally, talliedStore } from "../adapters/tally";
import type { JobQueue, Logger } from "../core/ports";
import { createSender } from "../funnel/pace";
import type { WorkerDeps } from "../funnel/worker";
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

/** The SES sender, paced to this function's share of the account's MaxSendRate. */
async function mailer(logger: Logger) {
  const env = readEnv([
    "SENDER_EMAIL",
    "SENDER_NAME",
    "REPLY_TO",
    "CONFIGURATION_SET",
    "SES_SENDERS",
  ]);
  const ses = sesClient();
  const quota = await sesSendQuota(ses, env.SES_SENDERS, logger);
  const mail = createMailer(ses, {
    from: mailbox(env.SENDER_NAME, env.SENDER_EMAIL),
    replyTo: env.REPLY_TO,
    configurationSetName: env.CONFIGURATION_SET,
  });
  return createSender(mail, { rate: quota.rate });
}

/**
 * The send worker: render, send through SES, advance; confirmations under the mailbox
 * throttle; owners' sign-in links and tests. Its counters go through a tally that
 * `flushCounts` writes once per batch.
 */
export async function sendDeps(): Promise<WorkerDeps & { flushCounts(): Promise<void> }> {
  const [{ deps }, key] = await Promise.all([sending(noQueue, true, mailer), idKey()]);
  const tally = createTally(deps.store.counters);
  return {
    ...deps,
    store: talliedStore(deps.store, tally),
    idKey: key,
    siteUrl: readEnv(["SITE_URL"]).SITE_URL,
    flushCounts: () => tally.flush(),
  };
}

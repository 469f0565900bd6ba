import { claimBudget } from "../core/claims";
import { readEnv } from "./env";
import { createLogger } from "./logger";
import { queueBacklog } from "./queue";
import { sesSendQuota } from "./quota";
import { sesClient } from "./ses";
import { claimQueue, sqsClient } from "./sqs";
import { clock, LEASE_MS, subscriberStore } from "./wiring";

/**
 * The scheduler tick: query the due index, claim, enqueue. No keys, no mail. Each tick claims
 * no more than the senders can send within a lease at the account's SES rate, less what the
 * queue already holds.
 */
export function dispatchDeps() {
  const { logger } = createLogger();
  const { QUEUE_URL, SES_SENDERS, SEQUENCE_PAUSED } = readEnv([
    "QUEUE_URL",
    "SES_SENDERS",
    "SEQUENCE_PAUSED",
  ]);
  const paused = SEQUENCE_PAUSED === "true";
  let quota: ReturnType<typeof sesSendQuota> | undefined;
  const budget = async () => {
    quota ??= sesSendQuota(sesClient(), logger);
    const [q, backlog] = await Promise.all([quota, queueBacklog(sqsClient(), QUEUE_URL)]);
    return claimBudget({
      accountRate: q.accountRate(),
      senders: SES_SENDERS,
      leaseMs: LEASE_MS,
      backlog,
    });
  };
  return {
    store: subscriberStore(),
    queue: claimQueue(),
    leaseMs: LEASE_MS,
    clock,
    logger,
    paused,
    budget,
  };
}

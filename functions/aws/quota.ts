import { GetAccountCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import type { Logger } from "../core/ports";
import { shareOf } from "../core/send-window";

/** How often the account's send quota is read again. */
export const QUOTA_REFRESH_MS = 10 * 60_000;
/** Until the quota is known: the SES sandbox rate, which every account has at least. */
const FALLBACK_RATE = 1;

/**
 * The account-wide SES MaxSendRate (GetAccount) and this sender's share of it, refreshed every
 * {@link QUOTA_REFRESH_MS} in the background. `senders` is how many senders may run at once
 * (the send workers: the send function's max concurrency): each paces its sends to a whole
 * share, `floor(rate / senders)` per second, so together they never exceed the account's rate.
 * @example const quota = await sesSendQuota(ses, 2, logger); createSender(mail, { rate: quota.rate });
 */
export async function sesSendQuota(
  ses: SESv2Client,
  senders: number,
  logger: Logger,
  now = () => Date.now(),
) {
  let account = FALLBACK_RATE;
  let readAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  const refresh = async () => {
    try {
      const out = await ses.send(new GetAccountCommand({}));
      const max = out.SendQuota?.MaxSendRate;
      if (max && max > 0) account = max;
    } catch (e) {
      // Keep the last known rate; never stop sending because the quota could not be read.
      logger.warn("could not read the SES send quota", { error: (e as Error).name });
    } finally {
      readAt = now();
      pending = undefined;
    }
  };

  await refresh();
  const fresh = () => {
    if (!pending && now() - readAt > QUOTA_REFRESH_MS) pending = refresh();
  };
  return {
    /** This sender's whole share per second; starts a background refresh when the quota is stale. */
    rate(): number {
      fresh();
      return shareOf(account, senders);
    },
    /** The account's MaxSendRate: all senders together. */
    accountRate(): number {
      fresh();
      return account;
    },
  };
}

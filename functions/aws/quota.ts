import { GetAccountCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import type { Logger } from "../core/ports";
import type { BucketRule } from "../core/token-bucket";

/** How often the account's send quota is read again. */
export const QUOTA_REFRESH_MS = 10 * 60_000;
/** Until the quota is known: the SES sandbox rate, which every account has at least. */
const FALLBACK_RATE = 1;

/**
 * This sender's share of the account-wide SES MaxSendRate (GetAccount), refreshed every
 * {@link QUOTA_REFRESH_MS} in the background. `senders` is how many senders may run at once
 * (the send function's max concurrency plus the web function's confirmations).
 * @example const quota = await sesSendQuota(ses, 3, logger); paced(mailer, quota.rule);
 */
export async function sesSendQuota(
  ses: SESv2Client,
  senders: number,
  logger: Logger,
  now = () => Date.now(),
) {
  let rate = FALLBACK_RATE / senders;
  let readAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  const refresh = async () => {
    try {
      const account = await ses.send(new GetAccountCommand({}));
      const max = account.SendQuota?.MaxSendRate;
      if (max && max > 0) rate = max / senders;
    } catch (e) {
      // Keep the last known rate; never stop sending because the quota could not be read.
      logger.warn("could not read the SES send quota", { error: (e as Error).name });
    } finally {
      readAt = now();
      pending = undefined;
    }
  };

  await refresh();
  return {
    /** The current pacing rule; starts a background refresh when the quota is stale. */
    rule(): BucketRule {
      if (!pending && now() - readAt > QUOTA_REFRESH_MS) pending = refresh();
      return { rate, burst: Math.max(1, Math.floor(rate)) };
    },
  };
}

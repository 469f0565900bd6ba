import { GetAccountCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import type { Logger } from "../core/ports";

/** How often the account's send quota is read again. */
export const QUOTA_REFRESH_MS = 10 * 60_000;
/** Until the quota is known: the SES sandbox rate, which every account has at least. */
const FALLBACK_RATE = 1;

/**
 * The account-wide SES MaxSendRate (GetAccount), refreshed every {@link QUOTA_REFRESH_MS} in
 * the background. The send slots split it (functions/core/send-slots.ts).
 * @example const quota = await sesSendQuota(ses, logger); slotShares(quota.accountRate(), 2);
 */
export async function sesSendQuota(ses: SESv2Client, logger: Logger, now = () => Date.now()) {
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
    /** The account's MaxSendRate: all senders together; a stale quota is refreshed behind. */
    accountRate(): number {
      fresh();
      return account;
    },
  };
}

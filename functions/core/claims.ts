import { shareOf } from "./send-window";

/**
 * Of a lease, the share that queued work may take to be sent. The rest is room for retries,
 * backoff and a halt, so a claim is sent (or seen stale) well before its lease runs out.
 */
export const LEASE_SHARE = 0.5;

/**
 * How many more subscribers one dispatch may claim: what the senders can send within
 * `LEASE_SHARE` of a lease at their rate, less what already waits in the queue. The rest
 * stays due for a later tick, so leases do not run out under a backlog. `senders` each pace to
 * a whole share of `accountRate` (functions/core/send-window.ts).
 * @example claimBudget({ accountRate: 14, senders: 2, leaseMs: 900_000, backlog: 1000 }) // 5300
 */
export function claimBudget(p: {
  accountRate: number;
  senders: number;
  leaseMs: number;
  backlog: number;
}): number {
  const rate = p.senders * shareOf(p.accountRate, p.senders);
  const room = Math.floor(rate * (p.leaseMs / 1000) * LEASE_SHARE);
  return Math.max(0, room - Math.max(0, p.backlog));
}

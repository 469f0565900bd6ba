import { slotShares } from "./send-slots";

/**
 * Of a lease, the share that queued work may take to be sent. The rest is room for retries,
 * backoff and a halt, so a claim is sent (or seen stale) well before its lease runs out.
 */
export const LEASE_SHARE = 0.5;

/**
 * How many more subscribers one dispatch may claim: what the senders can send within
 * `LEASE_SHARE` of a lease at their rate, less what already waits in the queue. The rest
 * stays due for a later tick, so leases do not run out under a backlog. The `senders` send
 * slots' shares add up to `accountRate` (functions/core/send-slots.ts).
 * @example claimBudget({ accountRate: 14, senders: 2, leaseMs: 900_000, backlog: 1000 }) // 5300
 */
export function claimBudget(p: {
  accountRate: number;
  senders: number;
  leaseMs: number;
  backlog: number;
}): number {
  const rate = slotShares(p.accountRate, p.senders).reduce((a, b) => a + b, 0);
  const room = Math.floor(rate * (p.leaseMs / 1000) * LEASE_SHARE);
  return Math.max(0, room - Math.max(0, p.backlog));
}

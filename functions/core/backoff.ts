/**
 * When to retry a send that SES throttled or timed out: capped exponential backoff with full
 * jitter, so workers that were throttled together do not come back together.
 */

/** The ceiling of the first retry's delay, in seconds. */
export const RETRY_BASE_S = 10;
/**
 * No retry waits longer than this. It must stay well below the claim's lease (15 min): the
 * lease runs from the claim, not from the failure, so a retry that lands after it finds the
 * subscriber claimed afresh by dispatch and is only a stale no-op. The stack test checks that
 * a job's whole retry budget fits in the lease.
 */
export const RETRY_MAX_S = 5 * 60;

/**
 * The longest delay before the next delivery after delivery `attempt` failed (1 = the first):
 * `min(RETRY_MAX_S, RETRY_BASE_S * 2^(attempt - 1))` whole seconds. An attempt that is not a
 * positive number counts as the first.
 * @example retryCeiling(1) // 10; retryCeiling(3) // 40; retryCeiling(20) // 300
 */
export function retryCeiling(attempt: number): number {
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  return Math.min(RETRY_MAX_S, RETRY_BASE_S * 2 ** (n - 1));
}

/**
 * The delay before the next delivery, uniform in whole seconds over [0, retryCeiling(attempt)].
 * `random` returns [0, 1), like Math.random; a value outside that range is clamped.
 * @example retryDelaySeconds(3, () => 0.5) // 20
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random): number {
  const ceiling = retryCeiling(attempt);
  const r = random();
  const u = r > 0 ? Math.min(r, 1) : 0; // NaN and negatives are 0
  return Math.min(ceiling, Math.floor(u * (ceiling + 1)));
}

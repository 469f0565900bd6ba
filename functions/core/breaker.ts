/**
 * The circuit breaker that halts all sending while SES refuses the account: one per sender
 * process, as plain data. After an account-level refusal nothing is sent until `openUntil`;
 * then one send goes out as a probe; if SES accepts it, sending resumes, if it refuses again
 * the wait doubles (up to `maxMs`). A probe that has not answered within `baseMs` (a call that
 * hangs) is taken as lost, and the next send probes: one stuck call never halts everyone.
 * Pure: every function takes `now` (ms).
 */
export interface Breaker {
  /** Account-level refusals in a row (0 = closed: send freely). */
  refusals: number;
  openUntil: number;
  /** A probe is in flight until then (0: none): everyone else waits for its answer. */
  probeUntil: number;
  /** Bumped whenever the breaker opens or closes; outcomes of sends admitted before are ignored. */
  generation: number;
}

export interface BreakerRule {
  /** Wait after the first refusal. */
  baseMs: number;
  /** Longest wait. */
  maxMs: number;
}

export const CLOSED: Breaker = { refusals: 0, openUntil: 0, probeUntil: 0, generation: 0 };

/** How long (ms) until a send may be tried; 0 = now. A probe in flight answers soon. */
export function haltedFor(b: Breaker, rule: BreakerRule, now: number): number {
  if (b.refusals === 0) return 0;
  if (now < b.openUntil) return b.openUntil - now;
  return now < b.probeUntil ? Math.min(rule.baseMs, b.probeUntil - now) : 0;
}

/** Lets a send through if the breaker allows it; the first send after a wait is the probe. */
export function admit(
  b: Breaker,
  rule: BreakerRule,
  now: number,
): { ok: true; breaker: Breaker; generation: number } | { ok: false; waitMs: number } {
  const waitMs = haltedFor(b, rule, now);
  if (waitMs > 0) return { ok: false, waitMs };
  const breaker = b.refusals === 0 ? b : { ...b, probeUntil: now + rule.baseMs };
  return { ok: true, breaker, generation: b.generation };
}

/**
 * The breaker after a send admitted in `generation` ended with `outcome`. An accepted send, a
 * throttle or a recipient-level reject all show SES answering for the account: closed. A
 * transient error proves nothing: the next send probes again. An account-level refusal opens
 * it for `min(maxMs, baseMs * 2^(refusals))`, jittered by up to half so that senders that
 * were refused together do not come back together.
 */
export function settle(
  b: Breaker,
  rule: BreakerRule,
  generation: number,
  outcome: "accepted" | "recipient" | "throttled" | "transient" | "account",
  now: number,
  random: () => number = Math.random,
): Breaker {
  // A send that started before the breaker last opened says nothing about SES now.
  if (generation !== b.generation) return b;
  if (outcome === "transient") return { ...b, probeUntil: 0 };
  // Closing after a halt starts a new generation too: a probe that hung and answers late says
  // nothing about SES now.
  if (outcome !== "account") {
    return b.refusals === 0 ? b : { ...CLOSED, generation: b.generation + 1 };
  }
  const ceiling = Math.min(rule.maxMs, rule.baseMs * 2 ** b.refusals);
  const u = Math.min(1, Math.max(0, random()));
  return {
    refusals: b.refusals + 1,
    openUntil: now + ceiling * (0.5 + u / 2),
    probeUntil: 0,
    generation: b.generation + 1,
  };
}

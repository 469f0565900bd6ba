/**
 * A token bucket as plain data: `rate` tokens per second refill up to `burst`. Pure: every
 * function takes `now` (ms) and returns the new state; callers keep the state where they like.
 */
export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface BucketRule {
  /** Tokens added per second. */
  rate: number;
  /** Most tokens the bucket holds (the largest burst allowed). */
  burst: number;
}

/** The bucket after refilling up to `now`. */
export function refill(bucket: Bucket | undefined, rule: BucketRule, now: number): Bucket {
  if (!bucket) return { tokens: rule.burst, updatedAt: now };
  const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
  return { tokens: Math.min(rule.burst, bucket.tokens + elapsed * rule.rate), updatedAt: now };
}

/**
 * Takes one token if there is one.
 * @returns the new state, and how long to wait (ms) before a token will be there (0 when taken).
 */
export function take(
  bucket: Bucket | undefined,
  rule: BucketRule,
  now: number,
): { bucket: Bucket; waitMs: number } {
  const b = refill(bucket, rule, now);
  if (b.tokens >= 1) return { bucket: { ...b, tokens: b.tokens - 1 }, waitMs: 0 };
  return { bucket: b, waitMs: Math.ceil(((1 - b.tokens) / rule.rate) * 1000) };
}

import type { MiddlewareHandler } from "hono";
import { type Bucket, type BucketRule, take } from "../core/token-bucket";
import { clientIp, type Env } from "./context";
import { isFormPost, messagePage } from "./render";

export interface IpRateLimitOptions {
  /** Refill rate and burst allowed per client address. */
  rule: BucketRule;
  /** Most addresses remembered at once; the least recently seen is forgotten first. */
  maxKeys: number;
}

/** Requests whose address the platform did not report share one bucket. */
export const UNKNOWN_CLIENT = "unknown";
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Per-client-address rate limit: a token bucket per address, kept in memory and bounded to
 * `maxKeys` addresses. On Lambda each warm instance keeps its own buckets, so this is a
 * best-effort brake in front of the API's own throttling, not an exact global count.
 * Over the limit: 429 with `Retry-After`, as JSON `{ error, issues }` or, for form posts, a page.
 *
 * @example
 * app.post("/api/subscribe", ipRateLimit({ rule: { burst: 10, rate: 1 / 6 }, maxKeys: 10_000 }), handler);
 */
export function ipRateLimit({ rule, maxKeys }: IpRateLimitOptions): MiddlewareHandler<Env> {
  if (!(rule.rate > 0) || !(rule.burst >= 1)) throw new RangeError("rate must be > 0, burst >= 1");
  if (!(maxKeys >= 1)) throw new RangeError("maxKeys must be at least 1");
  const buckets = new Map<string, Bucket>();

  return async (c, next) => {
    const ip = clientIp(c);
    // The machine's own requests (the local stack, its tests and checks) are one person at
    // their own keyboard; the limit guards against the internet.
    if (ip && LOOPBACK.test(ip)) return next();
    const key = ip ?? UNKNOWN_CLIENT;
    const now = c.get("deps").clock.now();
    const { bucket, waitMs } = take(buckets.get(key), rule, now);
    // Re-inserting keeps the Map in least-recently-seen order, so the first key is the oldest.
    buckets.delete(key);
    buckets.set(key, bucket);
    while (buckets.size > maxKeys) {
      const oldest = buckets.keys().next().value as string;
      buckets.delete(oldest);
    }
    if (waitMs === 0) return next();

    c.header("Retry-After", String(Math.max(1, Math.ceil(waitMs / 1000))));
    if (isFormPost(c)) {
      return messagePage(
        c,
        429,
        "Too many signups from here",
        "Please wait a minute, then try again.",
      );
    }
    return c.json({ error: "too many requests, try again later", issues: [] }, 429);
  };
}

import type { Context, MiddlewareHandler } from "hono";
import { clientKey, type RateRule } from "../core/limits";
import { type Bucket, type BucketRule, take } from "../core/token-bucket";
import { keyedHash } from "../core/tokens";
import { clientIp, type Env } from "./context";
import { isFormPost, messagePage } from "./render";

/** Requests whose address the platform did not report share one bucket. */
export const UNKNOWN_CLIENT = "unknown";

/** The answer over the limit: 429 with `Retry-After`, as JSON or, for form posts, a page. */
function tooMany(c: Context<Env>, waitMs: number) {
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
}

/**
 * A per-client limit shared by every instance: the state is one small item per client in the
 * table (GCRA, with TTL), keyed by a keyed hash of the client's address (IPv6 by its /64). No
 * address is exempt, loopback included. `rule` "off" lifts it (benchmarks). `soft`: over the
 * limit the request still goes on with `c.get("limited")` set (a click still redirects), and a
 * request an earlier limiter already marked costs the table nothing.
 * @example app.post("/api/subscribe", sharedRateLimit("signup", () => SIGNUP_RATE), handler);
 */
export function sharedRateLimit(
  scope: string,
  rule: (c: Context<Env>) => RateRule | "off",
  { soft = false }: { soft?: boolean } = {},
): MiddlewareHandler<Env> {
  const limit = async (c: Context<Env>, next: () => Promise<void>, r: RateRule) => {
    const deps = c.get("deps");
    const key = keyedHash(deps.idKey, `${scope}:${clientKey(clientIp(c))}`)
      .toString("base64url")
      .slice(0, 22);
    const { allowed, retryAfterMs } = await deps.store.takeRate(
      `${scope}#${key}`,
      r,
      deps.clock.now(),
      { wait: !soft },
    );
    if (allowed) return next();
    if (soft) {
      c.set("limited", true);
      return next();
    }
    return tooMany(c, retryAfterMs);
  };
  // Lifted, or already marked: straight on, without a wrapper of its own around the rest.
  return (c, next) => {
    const r = rule(c);
    if (r === "off" || (soft && c.get("limited"))) return next();
    return limit(c, next, r);
  };
}

export interface IpRateLimitOptions {
  /** Refill rate and burst allowed per client address. */
  rule: BucketRule;
  /** Most addresses remembered at once; the least recently seen is forgotten first. */
  maxKeys: number;
  /**
   * Over the limit: refuse with 429 (default), or let the request through with
   * `c.get("limited")` set, for routes that must still answer (a click still redirects).
   */
  soft?: boolean;
}

/**
 * Per-client-address rate limit kept in memory (a token bucket per address, IPv6 by /64,
 * bounded to `maxKeys`). Each instance counts alone, so it is no limit by itself; in front of
 * the shared limit with the same rule it turns a flood on one instance away before it costs
 * a write (whoever is over here is over there too).
 * @example app.get("/c/:t", ipRateLimit({ rule: { burst: 20, rate: 1 }, maxKeys: 10_000, soft: true }), h);
 */
export function ipRateLimit({ rule, maxKeys, soft }: IpRateLimitOptions): MiddlewareHandler<Env> {
  if (!(rule.rate > 0) || !(rule.burst >= 1)) throw new RangeError("rate must be > 0, burst >= 1");
  if (!(maxKeys >= 1)) throw new RangeError("maxKeys must be at least 1");
  const buckets = new Map<string, Bucket>();

  return async (c, next) => {
    const ip = clientIp(c);
    const key = ip ? clientKey(ip) : UNKNOWN_CLIENT;
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
    if (soft) {
      c.set("limited", true);
      return next();
    }
    return tooMany(c, waitMs);
  };
}

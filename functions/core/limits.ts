import { DAY_MS } from "./schedule";

/**
 * A per-client rate: a burst of `burst` requests, then one more every `intervalMs`
 * (a generic cell-rate algorithm, so the whole state is one time, "theoretical arrival").
 */
export interface RateRule {
  burst: number;
  intervalMs: number;
}

/** The signup default: a burst of 10 signups per client, then one every 6 seconds. */
export const SIGNUP_RATE: RateRule = { burst: 10, intervalMs: 6_000 };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads a rate limit setting: `10/6s` (a burst of 10, then one every 6 seconds; units ms, s,
 * m, h) or `off`. Throws a RangeError that quotes the expected format.
 * @example parseRateLimit("10/6s") // { burst: 10, intervalMs: 6000 }
 */
export function parseRateLimit(text: string): RateRule | "off" {
  const t = text.trim().toLowerCase();
  if (t === "off") return "off";
  const m = /^(\d{1,6})\/(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(t);
  const burst = Number(m?.[1]);
  const intervalMs = Number(m?.[2]) * (UNITS[m?.[3] ?? ""] ?? Number.NaN);
  if (!m || !(burst >= 1) || !(intervalMs >= 1)) {
    throw new RangeError(`expected a burst and an interval like "10/6s", or "off"; got "${text}"`);
  }
  return { burst, intervalMs };
}

/**
 * The GCRA decision for a client whose theoretical arrival time is `tat` (absent: idle).
 * Allowed while `tat` is at most `(burst - 1) × interval` ahead of now; each allowed request
 * moves it one interval later.
 */
export function gcra(tat: number | undefined, rule: RateRule, now: number) {
  const tolerance = (rule.burst - 1) * rule.intervalMs;
  const start = tat === undefined || tat < now ? now : tat;
  if (start - now > tolerance)
    return { allowed: false as const, retryAfterMs: start - now - tolerance };
  return { allowed: true as const, tat: start + rule.intervalMs };
}

/**
 * The client key of an address for per-client limits: IPv4 as is, IPv6 by its /64 (one
 * subscriber line usually holds a whole /64), IPv4-mapped IPv6 as the IPv4 it maps.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("%")[0]?.split("::") ?? [];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}

/** At most one per `gapMs`, and `perDay` per 24 hours. */
export interface ThrottleRule {
  gapMs: number;
  perDay: number;
}

/** Confirmation emails per mailbox: one per 10 minutes, three a day. */
export const CONFIRM_THROTTLE: ThrottleRule = { gapMs: 10 * 60_000, perDay: 3 };
/** "Here are your links again" for someone already subscribed who signs up again: once a day. */
export const REMINDER_THROTTLE: ThrottleRule = { gapMs: DAY_MS, perDay: 1 };

/**
 * "Email me a link" from the manage page, per mailbox: one per 10 minutes, five a day. Its own
 * throttle: signups of `a+x@` variants by a stranger must not use up the person's links.
 */
export const DATA_LINKS_THROTTLE: ThrottleRule = { gapMs: 10 * 60_000, perDay: 5 };

export interface ThrottleState {
  lastAt: number;
  windowStart: number;
  count: number;
}

/** The state after one more send, or undefined when the rule says no. */
export function throttle(
  state: ThrottleState | undefined,
  rule: ThrottleRule,
  now: number,
): ThrottleState | undefined {
  if (!state) return { lastAt: now, windowStart: now, count: 1 };
  if (now - state.lastAt < rule.gapMs) return undefined;
  const fresh = !(now - state.windowStart < DAY_MS);
  if (!fresh && state.count >= rule.perDay) return undefined;
  return {
    lastAt: now,
    windowStart: fresh ? now : state.windowStart,
    count: fresh ? 1 : state.count + 1,
  };
}

/**
 * Clicks and play beacons per client: a burst of 30, then one a second. Over it a click still
 * redirects and a beacon still answers, but nothing is recorded or counted.
 */
export const LINK_RATE: RateRule = { burst: 30, intervalMs: 1_000 };

/**
 * Click records kept per subscriber and link, for people and for scanners apart: the latest
 * few. However often a leaked link is replayed, its subscriber holds one small item per link.
 */
export const CLICKS_KEPT = 5;

/** One recorded open of a link. */
export interface ClickEntry {
  at: string;
  scanner: boolean;
  /** The email the link was in (absent for opens recorded before emails were named). */
  email?: string;
}

/**
 * `kept` with `entry` added, holding at most `max` people's and `max` scanners' entries (the
 * latest of each, by time), oldest first.
 * @example keepLatest([], { at: "2026-01-01T00:00:00.000Z", scanner: false }, 5)
 */
export function keepLatest(kept: readonly ClickEntry[], entry: ClickEntry, max: number) {
  const all = [...kept, entry].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const people = all.filter((e) => !e.scanner).slice(-max);
  const scanners = all.filter((e) => e.scanner).slice(-max);
  return all.filter((e) => people.includes(e) || scanners.includes(e));
}

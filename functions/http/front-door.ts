import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Env } from "./context";

/**
 * The CDN in front of the app, as the app sees it: a secret the CDN adds to every request it
 * forwards (its origin custom header), and the header in which it reports the client's
 * address. The app behind it answers only requests that carry the secret, and takes the
 * client's address only from those.
 */
export interface FrontDoor {
  /** The header that carries the secret (lower case). */
  secretHeader: string;
  /** The header the CDN sets to the client's address, replacing any value the client sent. */
  clientIpHeader: string;
  /**
   * The values accepted now: the current one first, then the previous one while a rotation
   * is under way (the CDN's edges switch over within minutes, not at once).
   */
  secrets(): Promise<readonly string[]> | readonly string[];
  /** Told when a request carried the previous value: the rotation is not finished. */
  onPrevious?(): void;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Which of `accepted` the presented value is (its index), or -1. Compares SHA-256 digests
 * with `timingSafeEqual`, so neither the time taken nor an early length mismatch tells a
 * caller how much of a guess was right; every accepted value is compared, matched or not.
 * @example secretIndex(c.req.header("x-origin-verify"), ["current", "previous"]) // 0, 1 or -1
 */
export function secretIndex(presented: string | undefined, accepted: readonly string[]): number {
  if (presented === undefined) return -1;
  const given = digest(presented);
  let found = -1;
  accepted.forEach((value, i) => {
    // An empty accepted value would admit a request whose header is empty: never accept it.
    if (timingSafeEqual(given, digest(value)) && value.length > 0 && found < 0) found = i;
  });
  return found;
}

/** The request came through the front door (set by {@link frontDoorGuard}). */
const ADMITTED = "viaFrontDoor";

/**
 * Refuses (403, nothing read or written) every request that does not carry the CDN's secret.
 * Mounted before every route, so no handler runs for a request that went around the CDN.
 */
export function frontDoorGuard(door: FrontDoor): MiddlewareHandler<Env> {
  return async (c, next) => {
    const index = secretIndex(c.req.header(door.secretHeader), await door.secrets());
    if (index < 0) throw new HTTPException(403, { message: "Forbidden" });
    if (index > 0) door.onPrevious?.();
    c.set(ADMITTED, true);
    return next();
  };
}

/**
 * The client's address as the CDN reported it, on a request the guard admitted; undefined
 * otherwise (so a forged address header on a request that went around the CDN is never read).
 */
export function frontDoorClientIp(c: Context<Env>, door: FrontDoor): string | undefined {
  if (c.get(ADMITTED) !== true) return undefined;
  return c.req.header(door.clientIpHeader) || undefined;
}

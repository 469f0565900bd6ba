import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { type Bucket, type BucketRule, take } from "../../core/token-bucket";
import { hashSecret } from "../../funnel/owner-mail";
import { ownerAddresses } from "../../funnel/test-send";
import { clientIp, type Env } from "../context";
import { fromOwnPage, siteOrigin } from "../origin";

/** The admin area's request context: the app's collaborators plus the signed-in owner. */
export type AdminEnv = { Variables: Env["Variables"] & { owner: string } };

export const SESSION_COOKIE = "hh_owner";
export const SESSION_MS = 12 * 60 * 60_000;
export { hashSecret, LOGIN_LINK_MS, newSecret } from "../../funnel/owner-mail";
/** At most one login email per owner address per minute, whoever asks. */
export const LOGIN_MAIL_GAP_MS = 60_000;
/** Login requests per client address: a burst of 5, then one a minute. */
export const LOGIN_RATE: BucketRule = { burst: 5, rate: 1 / 60 };

export { siteOrigin };

/** The owner addresses: `owners` in funnel.yaml (the one list, locally and on AWS). */
export const owners = (c: Context<AdminEnv>) => ownerAddresses(c.get("deps").course.funnel);

const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:";

export function startSession(c: Context<AdminEnv>, secret: string) {
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    secure: isHttps(c),
    sameSite: "Strict",
    path: "/admin",
    maxAge: SESSION_MS / 1000,
  });
}

export function clearSession(c: Context<AdminEnv>) {
  deleteCookie(c, SESSION_COOKIE, { path: "/admin", secure: isHttps(c) });
}

export const sessionSecret = (c: Context<AdminEnv>) => getCookie(c, SESSION_COOKIE);

/**
 * Every POST must come from a page of this site: its Origin header must be the site's own
 * origin (or the origin the request arrived at). A form on another site, or a request with no
 * Origin at all, is refused before anything is read.
 */
export const sameOrigin: MiddlewareHandler<AdminEnv> = async (c, next) => {
  if (c.req.method !== "POST") return next();
  if (!fromOwnPage(c)) {
    throw new HTTPException(403, { message: "cross-origin request refused" });
  }
  return next();
};

/** Signed-in owners only: a live session, or the login page. */
export const requireOwner: MiddlewareHandler<AdminEnv> = async (c, next) => {
  const secret = sessionSecret(c);
  const deps = c.get("deps");
  const session = secret
    ? await deps.store.owners.session(hashSecret(secret), deps.clock.now())
    : undefined;
  // An address removed from the owners since signing in loses access at once.
  if (!session || !owners(c).some((o) => o.toLowerCase() === session.email.toLowerCase())) {
    if (c.req.method === "GET") return c.redirect("/admin/login", 303);
    throw new HTTPException(401, { message: "sign in again" });
  }
  c.set("owner", session.email);
  c.header("Cache-Control", "no-store");
  return next();
};

/**
 * Login requests per client address (a token bucket per address in memory, bounded). On
 * Lambda each instance keeps its own; the per-owner limit in the table is the hard one.
 */
export function loginRateLimit(maxKeys = 10_000): MiddlewareHandler<AdminEnv> {
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    const key = clientIp(c) ?? "unknown";
    const { bucket, waitMs } = take(buckets.get(key), LOGIN_RATE, c.get("deps").clock.now());
    buckets.delete(key);
    buckets.set(key, bucket);
    while (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
    if (waitMs > 0) {
      c.header("Retry-After", String(Math.ceil(waitMs / 1000)));
      throw new HTTPException(429, { message: "too many sign-in requests; wait a minute" });
    }
    return next();
  };
}

import type { Context } from "hono";
import type { RateRule } from "../core/limits";
import type { Tokens } from "../core/tokens";
import type { FunnelDeps } from "../funnel/subscriptions";
import { type FrontDoor, frontDoorClientIp } from "./front-door";

/** What the web app needs: the funnel's collaborators plus the web-only ones. */
export interface AppDeps extends FunnelDeps {
  tokens: Tokens;
  /** The printable guide, built once and cached by the caller. */
  guidePdf(): Promise<Uint8Array>;
  /** Resolves when the table and the mailer answer; used by /healthz. */
  ready(): Promise<void>;
  /**
   * The client's address for rate limits and consent records, from a source the platform
   * vouches for (the socket locally). Not consulted when there is a {@link frontDoor}.
   */
  clientIp?: (c: Context) => string | undefined;
  /**
   * The CDN every request must come through (AWS): requests without its secret are refused
   * before any route runs, and the client's address is the one the CDN reported. Absent
   * locally, where the server's own socket is the only door.
   */
  frontDoor?: FrontDoor;
  /** Signups allowed per client (address, IPv6 /64); "off" lifts it; a default when absent. */
  signupRateLimit?: RateRule | "off";
  /** The site's public origin for links in emails sent from the web (owner login links). */
  siteUrl?: string;
  /** Depth of the send queue's dead-letter queue, where there is one (AWS). */
  deadLetters?: () => Promise<number>;
}

export type Env = {
  Variables: {
    deps: AppDeps;
    limited?: boolean /** Set by the front-door guard. */;
    viaFrontDoor?: boolean;
  };
};

/** The request's collaborators, set once by the app. */
export const depsOf = (c: Context<Env>) => c.get("deps");

/**
 * The client's address as the platform reports it (never logged); undefined if unknown. Behind
 * a front door, only the CDN's report on a request it vouched for counts.
 */
export function clientIp<E extends Env>(c: Context<E>): string | undefined {
  // Sub-apps add variables of their own (the admin's owner); what is read here is Env's.
  const ctx = c as unknown as Context<Env>;
  const deps = ctx.get("deps");
  if (deps.frontDoor) return frontDoorClientIp(ctx, deps.frontDoor);
  return deps.clientIp?.(ctx);
}

/**
 * The left-most `X-Forwarded-For` entry. The client chooses it, so it is only fit for tests
 * that stand in for many clients; platforms pass an address they can vouch for.
 */
export function forwardedFor(c: Context): string | undefined {
  return c.req.header("x-forwarded-for")?.split(",")[0]?.trim() || undefined;
}

import type { Context } from "hono";
import type { Tokens } from "../core/tokens";
import type { FunnelDeps } from "../funnel/subscriptions";

/** What the web app needs: the funnel's collaborators plus the web-only ones. */
export interface AppDeps extends FunnelDeps {
  tokens: Tokens;
  /** The printable guide, built once and cached by the caller. */
  guidePdf(): Promise<Uint8Array>;
  /** Resolves when the table and the mailer answer; used by /healthz. */
  ready(): Promise<void>;
}

export type Env = { Variables: { deps: AppDeps } };

/** The request's collaborators, set once by the app. */
export const depsOf = (c: Context<Env>) => c.get("deps");

/** The client's address as the platform reports it (never logged). */
export function clientIp(c: Context<Env>): string | undefined {
  const fwd = c.req.header("x-forwarded-for");
  return fwd?.split(",")[0]?.trim() || undefined;
}

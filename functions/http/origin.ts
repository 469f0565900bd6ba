import type { Context } from "hono";
import type { Env } from "./context";

/** The public origin of the site: where links in emails point, and where POSTs come from. */
export function siteOrigin<E extends Env>(c: Context<E>): string {
  const deps = c.get("deps");
  return new URL(deps.siteUrl ?? deps.course.funnel.siteUrl).origin;
}

/**
 * Whether a POST comes from a page of this site: its Origin header is the site's own origin
 * (or the origin the request arrived at). A form on another site, a sandboxed frame
 * (`Origin: null`) or a request with no Origin at all is not.
 */
export function fromOwnPage<E extends Env>(c: Context<E>): boolean {
  const origin = c.req.header("origin");
  return Boolean(origin) && [siteOrigin(c), new URL(c.req.url).origin].includes(origin as string);
}

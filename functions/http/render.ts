import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Env } from "./context";
import { MessagePage } from "./pages";

/** A friendly page for a refused or broken request. */
export function messagePage(
  c: Context<Env>,
  status: ContentfulStatusCode,
  title: string,
  message: string,
) {
  const funnel = c.get("deps").course.funnel;
  return c.html(MessagePage({ funnel, status, title, message }), status);
}

/** Pages behind a link with a token: never cached, never indexed, no referrer. */
export function privatePage(c: Context<Env>) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Robots-Tag", "noindex");
}

/** The request body's media type, lower-cased, without parameters ("" when absent). */
export function bodyType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** A plain HTML form post (what a browser without script sends). */
export function isFormPost(c: Context): boolean {
  return FORM_TYPES.includes(bodyType(c));
}

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import { LINK_RATE } from "../../core/limits";
import { linkFits, linkTarget } from "../../core/links";
import type { Purpose, TokenClaims } from "../../core/tokens";
import { progressInWords } from "../../funnel/my-data";
import { erase } from "../../funnel/owner";
import { countClick, countWatch, day, emailOf } from "../../funnel/stats";
import { confirm, exportData, unsubscribe } from "../../funnel/subscriptions";
import { clientIp, type Env } from "../context";
import {
  AlreadyConfirmedPage,
  ConfirmedPage,
  ConfirmPage,
  ErasedPage,
  ManagePage,
  MasterclassPage,
  PLAY_BEACON_PATH,
  UnsubscribedPage,
  UnsubscribePage,
} from "../pages";
import { ipRateLimit, sharedRateLimit } from "../rate-limit";
import { messagePage, privatePage } from "../render";

const VIEW_COOKIE = "hh_view";
/** Clicks this soon after delivery are mail scanners pre-fetching links, not people. */
const SCANNER_WINDOW_MS = 10_000;
const SCANNER_AGENTS =
  /bot|crawl|spider|scan|preview|proofpoint|mimecast|barracuda|safelinks|urldefense|curl|wget|python|go-http|java\//i;

/** Verifies the `t` query token for `purpose`, or undefined. */
function claimsOf(
  c: Context<Env>,
  purpose: Purpose | readonly Purpose[],
  token = c.req.query("t"),
): TokenClaims | undefined {
  if (!token) return undefined;
  try {
    return c.get("deps").tokens.verify(token, purpose, c.get("deps").clock.now());
  } catch {
    return undefined;
  }
}

const badLink = (c: Context<Env>) =>
  messagePage(
    c,
    400,
    "This link is not valid",
    "It may be incomplete or out of date. Copy the whole link from the email, or sign up again.",
  );

/** Links of a marketing email: v2 "email" tokens, and v1 unsubscribe/manage links sent before. */
const UNSUBSCRIBE: readonly Purpose[] = ["email", "unsubscribe"];
const MANAGE: readonly Purpose[] = ["email", "manage"];

/**
 * Clicks and plays per client (IPv6 by /64), shared by every instance. Over it, the request is
 * still answered (a click still redirects) but records and counts nothing: the cost of a leaked
 * link replayed in a loop stays bounded. This instance's own count turns a flood away first,
 * without a write.
 */
const clickLimit = [
  ipRateLimit({
    rule: { burst: LINK_RATE.burst, rate: 1000 / LINK_RATE.intervalMs },
    maxKeys: 10_000,
    soft: true,
  }),
  sharedRateLimit("links", () => LINK_RATE, { soft: true }),
] as const;

/**
 * A genuine link from an email whose record is gone (erased; or signed for an earlier record of
 * the address). Said plainly, and nothing about anyone is read out or changed.
 */
const erasedLink = (c: Context<Env>) =>
  messagePage(
    c,
    410,
    "This link no longer works",
    "The data this link belonged to has been erased. If you'd like the masterclass again, sign up on the home page.",
  );

const limit = bodyLimit({ maxSize: 4096, onError: (c) => c.text("request body too large", 413) });

/**
 * A click-through: records who clicked what (flagging likely scanners) when the link still
 * speaks for a subscriber, counts it, and redirects to the target content names.
 */
async function click(
  c: Context<Env>,
  claims: TokenClaims | undefined,
  link: string,
  target: string | undefined,
) {
  privatePage(c);
  if (!claims || !target) return badLink(c);
  const deps = c.get("deps");
  const now = deps.clock.now();
  const read = await deps.store.get(claims.sid);
  // A link that no longer speaks for the record (erased, or signed for an earlier one) still
  // redirects, but nothing is recorded about anyone.
  const sub = linkFits(claims, read) ? read : undefined;
  const lastSend = sub?.sends.at(-1)?.at;
  const scanner =
    c.req.method === "HEAD" ||
    SCANNER_AGENTS.test(c.req.header("user-agent") ?? "") ||
    (lastSend !== undefined && now - Date.parse(lastSend) < SCANNER_WINDOW_MS);
  // Over the per-client limit (a leaked link replayed), a person is still redirected, but
  // nothing more is written or counted about it.
  if (!c.get("limited")) {
    if (sub) {
      await deps.store.recordClick(claims.sid, { link, at: new Date(now).toISOString(), scanner });
    }
    await countClick(deps.store, sub, emailOf(sub, { emailId: claims.emailId }), scanner, now);
  }
  if (!scanner) {
    const token = c.req.param("token") as string;
    setCookie(c, VIEW_COOKIE, token, {
      httpOnly: true,
      sameSite: "Lax",
      path: "/api/events",
      maxAge: 86400,
    });
  }
  return c.redirect(target, 302);
}

/** Confirm, unsubscribe, click-through, manage and the masterclass: every link in an email. */
export const linkRoutes = new Hono<Env>()
  // A GET only shows the page (nothing runs by itself); the person's press, a POST, confirms.
  .get("/confirm", async (c) => {
    privatePage(c);
    const deps = c.get("deps");
    const token = c.req.query("t");
    const claims = claimsOf(c, "confirm");
    if (!claims) return badLink(c);
    const sub = await deps.store.get(claims.sid);
    // A used link says so (and leads on) instead of asking again; reading changes nothing.
    if (linkFits(claims, sub) && (sub.status === "active" || sub.status === "completed")) {
      return c.html(AlreadyConfirmedPage({ funnel: deps.course.funnel }));
    }
    return c.html(ConfirmPage({ funnel: deps.course.funnel, token: token as string }));
  })
  .post("/confirm", limit, async (c) => {
    privatePage(c);
    const claims = claimsOf(c, "confirm");
    if (!claims) return badLink(c);
    const result = await confirm(c.get("deps"), claims, {
      ip: clientIp(c),
      userAgent: c.req.header("user-agent")?.slice(0, 256),
      form: "confirm-page",
      textVersion: c.get("deps").course.funnel.landing.consentVersion,
    });
    if (!result.ok) {
      if (result.reason === "expired")
        return messagePage(
          c,
          410,
          "This link has expired",
          "Please sign up again and we'll send you a fresh one.",
        );
      if (result.reason === "ended")
        return messagePage(
          c,
          409,
          "You're unsubscribed",
          "To get the masterclass again, sign up on the home page.",
        );
      return messagePage(
        c,
        404,
        "We couldn't find your signup",
        "Please sign up again on the home page.",
      );
    }
    return c.html(
      ConfirmedPage({ funnel: c.get("deps").course.funnel, firstName: result.firstName }),
    );
  })
  .get("/u", async (c) => {
    privatePage(c);
    const deps = c.get("deps");
    const claims = claimsOf(c, UNSUBSCRIBE);
    if (!claims) return badLink(c);
    const sub = await deps.store.get(claims.sid);
    if (!linkFits(claims, sub)) return erasedLink(c);
    // A used link says so (and offers the way back) instead of asking again.
    if (sub.status === "unsubscribed" && !sub.rejoinUntil) {
      return messagePage(
        c,
        200,
        "You're unsubscribed",
        `You won't get any more emails from ${deps.course.funnel.brand.name}. Changed your mind? You can sign up again on the home page.`,
      );
    }
    return c.html(
      UnsubscribePage({ funnel: deps.course.funnel, token: c.req.query("t") as string }),
    );
  })
  // The page's button and RFC 8058 one-click POSTs from mail clients both land here.
  .post("/u", limit, async (c) => {
    privatePage(c);
    const claims = claimsOf(c, UNSUBSCRIBE);
    if (!claims) return badLink(c);
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    await unsubscribe(c.get("deps"), claims, { emailId: claims.emailId });
    if (body["List-Unsubscribe"] === "One-Click") return c.text("Unsubscribed.", 200);
    return c.html(UnsubscribedPage({ funnel: c.get("deps").course.funnel }));
  })
  // One token per email: the link id travels beside it and must be one that email uses.
  .on(["GET", "HEAD"], "/c/:link/:token", ...clickLimit, (c) => {
    const claims = claimsOf(c, "email", c.req.param("token"));
    const target = claims && linkTarget(c.get("deps").course, c.req.param("link"), claims.emailId);
    return click(c, claims, c.req.param("link"), target);
  })
  // Links in emails sent before one token per email: `/c/<v1 click token>`.
  .on(["GET", "HEAD"], "/c/:token", ...clickLimit, (c) => {
    const claims = claimsOf(c, "click", c.req.param("token"));
    const link = claims?.link ?? "";
    return click(c, claims, link, claims && linkTarget(c.get("deps").course, link));
  })
  .get("/masterclass", (c) => {
    // ?t=<seconds>: a chapter link followed without script; anything else starts at 0.
    const t = Number(c.req.query("t"));
    const start = Number.isInteger(t) && t > 0 && t < 86_400 ? t : undefined;
    return c.html(MasterclassPage({ funnel: c.get("deps").course.funnel, start }));
  })
  // The video started playing: a person, not a scanner. Attributed when they came from an email.
  .post(PLAY_BEACON_PATH, ...clickLimit, limit, async (c) => {
    const deps = c.get("deps");
    const now = deps.clock.now();
    // Over the per-client limit a beacon costs nothing: no record, no counter.
    if (c.get("limited")) return c.body(null, 204);
    const claims = claimsOf(c, ["email", "click"], getCookie(c, VIEW_COOKIE));
    // Only for a subscriber the link still speaks for: nothing is re-created after an erase.
    if (claims && linkFits(claims, await deps.store.get(claims.sid))) {
      await deps.store.recordClick(claims.sid, {
        link: "play",
        at: new Date(now).toISOString(),
        scanner: false,
      });
      await countWatch(deps.store, claims.sid, now);
    }
    await deps.store.count(day(now), { plays: 1 });
    return c.body(null, 204);
  })
  .get("/manage", async (c) => {
    privatePage(c);
    const deps = c.get("deps");
    const claims = claimsOf(c, MANAGE);
    if (!claims) return badLink(c);
    const sub = await deps.store.get(claims.sid);
    if (!linkFits(claims, sub)) return erasedLink(c);
    const summary = {
      email: sub.email,
      firstName: sub.firstName,
      status: sub.status,
      since: sub.createdAt,
      progress: progressInWords(sub, deps.course),
    };
    return c.html(
      ManagePage({ funnel: deps.course.funnel, token: c.req.query("t") as string, summary }),
    );
  })
  .post("/manage/export", limit, async (c) => {
    privatePage(c);
    const claims = claimsOf(c, MANAGE);
    const data = claims && (await exportData(c.get("deps"), claims));
    if (!claims || !data) return badLink(c);
    c.header("Content-Disposition", 'attachment; filename="my-data.json"');
    return c.json(data);
  })
  .post("/manage/erase", limit, async (c) => {
    privatePage(c);
    const claims = claimsOf(c, MANAGE);
    if (!claims || !linkFits(claims, await c.get("deps").store.get(claims.sid))) return badLink(c);
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    if (!body.confirm)
      return messagePage(
        c,
        400,
        "Nothing was erased",
        "Tick the box to confirm, then press the button again.",
      );
    await erase(c.get("deps"), claims.sid);
    return c.html(ErasedPage({ funnel: c.get("deps").course.funnel }));
  });

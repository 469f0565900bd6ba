import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import { TokenError } from "../../core/errors";
import { LINK_RATE } from "../../core/limits";
import { DATA_LINKS_LIFETIME, linkFits, linkTarget } from "../../core/links";
import { type Purpose, type TokenClaims, verifyFollowing } from "../../core/tokens";
import { requestDataLinks } from "../../funnel/data-links";
import { progressInWords } from "../../funnel/my-data";
import { erase } from "../../funnel/owner";
import { countClick, countWatch, day, emailOf } from "../../funnel/stats";
import { confirm, exportData, unsubscribe } from "../../funnel/subscriptions";
import { clientIp, type Env } from "../context";
import { fromOwnPage } from "../origin";
import {
  AlreadyConfirmedPage,
  ConfirmPage,
  type DataAction,
  ErasedPage,
  ErasePage,
  ExportPage,
  FreshLinkNeededPage,
  LinksSentPage,
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
async function claimsOf(
  c: Context<Env>,
  purpose: Purpose | readonly Purpose[],
  token = c.req.query("t"),
): Promise<TokenClaims | undefined> {
  if (!token) return undefined;
  const { tokens, clock } = c.get("deps");
  return verifyFollowing(tokens, token, purpose, clock.now()).catch(() => undefined);
}

/** Verifies the `t` query token for `purposes`; says why not when it is refused. */
async function linkOf(
  c: Context<Env>,
  purposes: readonly Purpose[],
): Promise<{ claims: TokenClaims } | { refused: "expired" | "invalid" }> {
  const token = c.req.query("t");
  if (!token) return { refused: "invalid" };
  const { tokens, clock } = c.get("deps");
  try {
    return { claims: await verifyFollowing(tokens, token, purposes, clock.now()) };
  } catch (e) {
    // "expired" is only said after the signature and the purpose held.
    return { refused: e instanceof TokenError && e.message === "expired" ? "expired" : "invalid" };
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

/** Posts that read or change a subscriber's data come from this site's own pages only. */
const ownPagesOnly: MiddlewareHandler<Env> = async (c, next) => {
  if (fromOwnPage(c)) return next();
  privatePage(c);
  return messagePage(
    c,
    403,
    "Please use the button on our page",
    "This request did not come from our own page, so nothing was done. Open the link from your email again and press the button there.",
  );
};

/**
 * "Email me a link" presses per client, shared by every instance: a burst of 5, then one a
 * minute. Over it the page is the same and nothing is done (the mailbox's own throttle bounds
 * the emails in any case).
 */
const linksLimit = sharedRateLimit("data-links", () => ({ burst: 5, intervalMs: 60_000 }), {
  soft: true,
});

/** The emailed link's purposes, and the email links that can only ask for one. */
const DATA_PURPOSES: readonly Purpose[] = ["export", "erase", ...MANAGE];

/**
 * An emailed download or erase link (`/manage/export`, `/manage/erase`): only a fresh token of
 * that one purpose, for the record as it is now, within its hour. A GET shows the page; the
 * page's POST downloads the file or, with the box ticked, erases (which ends every link of the
 * record, this one included). An email's own link is answered with the button for a fresh one.
 */
async function dataLink(c: Context<Env>, action: DataAction) {
  privatePage(c);
  const deps = c.get("deps");
  const { funnel } = deps.course;
  const link = await linkOf(c, DATA_PURPOSES);
  if ("refused" in link) {
    if (link.refused === "invalid") return badLink(c);
    return messagePage(
      c,
      410,
      "This link has expired",
      `Links to download or erase your data work for ${DATA_LINKS_LIFETIME}. To get new ones, open "Manage your data" at the foot of any email from us and press "Email me a link".`,
    );
  }
  const { claims } = link;
  const sub = await deps.store.get(claims.sid);
  if (!linkFits(claims, sub)) return erasedLink(c);
  const token = c.req.query("t") as string;
  if (MANAGE.includes(claims.purpose)) {
    return c.html(FreshLinkNeededPage({ funnel, token, action }), 403);
  }
  if (claims.purpose !== action) {
    return messagePage(
      c,
      403,
      "This link is for something else",
      `This link is for ${action === "export" ? "erasing" : "downloading"} your data. Use the other link in the same email.`,
    );
  }
  if (c.req.method !== "POST") {
    return c.html(
      action === "export" ? ExportPage({ funnel, token }) : ErasePage({ funnel, token }),
    );
  }
  if (action === "export") {
    const data = await exportData(deps, claims);
    if (!data) return erasedLink(c);
    c.header("Content-Disposition", 'attachment; filename="my-data.json"');
    // For a person to read: indented, a newline at the end.
    c.header("Content-Type", "application/json");
    return c.body(`${JSON.stringify(data, null, 2)}\n`);
  }
  const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  if (!body.confirm)
    return messagePage(
      c,
      400,
      "Nothing was erased",
      "Tick the box to confirm, then press the button again.",
    );
  await erase(deps, claims.sid);
  return c.html(ErasedPage({ funnel }));
}

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
      const at = new Date(now).toISOString();
      await deps.store.recordClick(claims.sid, { link, at, scanner, email: claims.emailId });
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
    const claims = await claimsOf(c, "confirm");
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
    const claims = await claimsOf(c, "confirm");
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
    // The button promised the masterclass: the press lands there (303: the page is a GET).
    return c.redirect("/masterclass?confirmed=1", 303);
  })
  .get("/u", async (c) => {
    privatePage(c);
    const deps = c.get("deps");
    const claims = await claimsOf(c, UNSUBSCRIBE);
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
    const claims = await claimsOf(c, UNSUBSCRIBE);
    if (!claims) return badLink(c);
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    await unsubscribe(c.get("deps"), claims, { emailId: claims.emailId });
    if (body["List-Unsubscribe"] === "One-Click") return c.text("Unsubscribed.", 200);
    return c.html(UnsubscribedPage({ funnel: c.get("deps").course.funnel }));
  })
  // One token per email: the link id travels beside it and must be one that email uses.
  .on(["GET", "HEAD"], "/c/:link/:token", ...clickLimit, async (c) => {
    const claims = await claimsOf(c, "email", c.req.param("token"));
    const { course, composer } = c.get("deps");
    const used = claims?.emailId === undefined ? undefined : composer.linksOf(claims.emailId);
    const target = claims && linkTarget(course, c.req.param("link"), used);
    return click(c, claims, c.req.param("link"), target);
  })
  // Links in emails sent before one token per email: `/c/<v1 click token>`.
  .on(["GET", "HEAD"], "/c/:token", ...clickLimit, async (c) => {
    const claims = await claimsOf(c, "click", c.req.param("token"));
    const link = claims?.link ?? "";
    return click(c, claims, link, claims && linkTarget(c.get("deps").course, link));
  })
  .get("/masterclass", (c) => {
    // ?t=<seconds>: a chapter link followed without script; anything else starts at 0.
    const t = Number(c.req.query("t"));
    const start = Number.isInteger(t) && t > 0 && t < 86_400 ? t : undefined;
    // ?confirmed=1 only changes a line of text: anyone may open it, nothing is recorded.
    const confirmed = c.req.query("confirmed") === "1";
    return c.html(MasterclassPage({ funnel: c.get("deps").course.funnel, start, confirmed }));
  })
  // The video started playing: a person, not a scanner. Attributed when they came from an email.
  .post(PLAY_BEACON_PATH, ...clickLimit, limit, async (c) => {
    const deps = c.get("deps");
    const now = deps.clock.now();
    // Over the per-client limit a beacon costs nothing: no record, no counter.
    if (c.get("limited")) return c.body(null, 204);
    const claims = await claimsOf(c, ["email", "click"], getCookie(c, VIEW_COOKIE));
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
    const claims = await claimsOf(c, MANAGE);
    if (!claims) return badLink(c);
    const sub = await deps.store.get(claims.sid);
    if (!linkFits(claims, sub)) return erasedLink(c);
    const token = c.req.query("t") as string;
    const summary = {
      email: sub.email,
      firstName: sub.firstName,
      status: sub.status,
      since: sub.createdAt,
      progress: progressInWords(sub, deps.course),
    };
    // An email's link also unsubscribes (a v1 manage link never did).
    const subscribed = ["pending", "active", "completed"].includes(sub.status);
    const unsubscribeHref =
      subscribed && claims.purpose === "email" ? `/u?t=${encodeURIComponent(token)}` : undefined;
    return c.html(ManagePage({ funnel: deps.course.funnel, token, summary, unsubscribeHref }));
  })
  // "Email me a link": the same answer whether or not an email goes out (throttled, or an
  // address we do not mail), so the page tells nothing about the address.
  .post("/manage/links", ownPagesOnly, linksLimit, limit, async (c) => {
    privatePage(c);
    const deps = c.get("deps");
    const claims = await claimsOf(c, MANAGE);
    if (!claims) return badLink(c);
    const sub = await deps.store.get(claims.sid);
    if (!linkFits(claims, sub)) return erasedLink(c);
    if (!c.get("limited")) await requestDataLinks(deps, sub);
    const back = `/manage?t=${encodeURIComponent(c.req.query("t") as string)}`;
    return c.html(LinksSentPage({ funnel: deps.course.funnel, back }));
  })
  // The emailed links: a GET shows the page, its button's POST downloads or erases.
  .get("/manage/export", (c) => dataLink(c, "export"))
  .post("/manage/export", ownPagesOnly, limit, (c) => dataLink(c, "export"))
  .get("/manage/erase", (c) => dataLink(c, "erase"))
  .post("/manage/erase", ownPagesOnly, limit, (c) => dataLink(c, "erase"));

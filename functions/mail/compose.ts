import type { OutgoingEmail } from "../adapters/mailer";
import type { Course } from "../core/content";
import { generationOf, LINK_TTL_MS } from "../core/links";
import type { Subscriber } from "../core/subscriber";
import type { Tokens } from "../core/tokens";
import { type CompiledEmail, DATA_LINKS_EMAIL } from "./compiled";
import { type FillPlan, fillPlan, planFill, prefill } from "./personalise";

interface Ready {
  plan: FillPlan;
  /** Link ids the template tracks (`{{link:id}}`), found at build time. */
  links: readonly string[];
}

/**
 * Where each signed link of an email points, before its token: the unsubscribe, "my data" and
 * confirm pages, and `/c/<id>/` for a tracked content link. One table for the values a direct
 * render is given and for the plans the composer fills.
 */
function tokenPath(key: string): string | undefined {
  if (key === "unsubscribeUrl") return "/u?t=";
  if (key === "manageUrl") return "/manage?t=";
  if (key === "confirmUrl") return "/confirm?t=";
  if (key.startsWith("link:")) return `/c/${key.slice(5)}/`;
  return undefined;
}

export interface ComposerOptions {
  course: Course;
  /** Every email of the course, compiled at build time (functions/mail/compiled.ts). */
  emails: Record<string, CompiledEmail>;
  /** Public origin links point at, e.g. https://yogaforhealthyhips.com */
  siteUrl: string;
  tokens: Tokens;
}

/** An email id the course does not have. */
export class UnknownEmailError extends Error {
  override readonly name = "UnknownEmailError";
}

/**
 * Builds each outgoing email from the templates compiled at build time. Everything that is the
 * same for every recipient (the site's host, the privacy link, each link up to its token) is
 * filled in and encoded once here; per email there is one signature and a join of its name and
 * token into the prepared text. No rendering happens at send time.
 */
export function createComposer({ course, emails, siteUrl, tokens }: ComposerOptions) {
  const site = siteUrl.replace(/\/+$/, "");
  const siteHost = new URL(site).host;
  /** Each email's plan, made the first time that email is composed (see {@link prepare}). */
  const ready = new Map<string, Ready>();
  /**
   * An email made ready for its recipients. Made on first use rather than for every email up
   * front: a cold start then pays only for the emails its first request sends (often one, or
   * none for the web function), and every later recipient of it for a join.
   */
  const prepare = (id: string, email: CompiledEmail): Ready => {
    // The privacy notice is the same page for everyone: no token, no tracking.
    const template = prefill(email, { siteHost, privacyUrl: `${site}/privacy` });
    // The confirmation carries its confirm link and nothing else; the others never one.
    const confirm = id === course.confirm.id;
    const plan = planFill(template, (key) => {
      const path = confirm === (key === "confirmUrl") ? tokenPath(key) : undefined;
      return path === undefined ? undefined : `${site}${path}`;
    });
    return { plan, links: email.links };
  };
  const templateOf = (id: string): Ready => {
    let hit = ready.get(id);
    if (!hit) {
      const email = Object.hasOwn(emails, id) ? emails[id] : undefined;
      if (!email) throw new UnknownEmailError(`no compiled email '${id}'`);
      hit = prepare(id, email);
      ready.set(id, hit);
    }
    return hit;
  };

  /**
   * One signature per email covers all its links: a token of purpose "email" naming the
   * subscriber, their generation and the email, used by the click, unsubscribe and manage links.
   */
  const emailToken = (sub: Subscriber, emailId: string, now: number) =>
    tokens.sign({
      purpose: "email",
      sid: sub.sid,
      generation: generationOf(sub),
      emailId,
      expiresAt: now + LINK_TTL_MS.email,
    });

  /** The confirmation's own short-lived token. */
  const confirmToken = (sub: Subscriber, now: number) =>
    tokens.sign({
      purpose: "confirm",
      sid: sub.sid,
      generation: generationOf(sub),
      expiresAt: now + LINK_TTL_MS.confirm,
    });

  /** What a marketing email's greeting says. */
  const named = (sub: Subscriber) => ({ firstName: sub.firstName || "there" });
  /** No visitor-typed text before they confirm: the greeting is not personalised. */
  const CONFIRM_NAMED = { firstName: "there" };

  /**
   * The data-links email's values: a fresh `export` and a fresh `erase` token, each good for
   * one purpose, for this record's generation, for an hour from now.
   */
  const dataLinkValues = (sub: Subscriber, now: number): Record<string, string> => {
    const sign = (purpose: "export" | "erase") =>
      tokens.sign({
        purpose,
        sid: sub.sid,
        generation: generationOf(sub),
        expiresAt: now + LINK_TTL_MS[purpose],
      });
    return {
      exportUrl: `${site}/manage/export?t=${sign("export")}`,
      eraseUrl: `${site}/manage/erase?t=${sign("erase")}`,
    };
  };

  /** A marketing email of the sequence, with one-click unsubscribe headers. */
  function marketing(sub: Subscriber, id: string, now: number): OutgoingEmail & { id: string } {
    const c = templateOf(id);
    const t = emailToken(sub, id, now);
    return {
      id,
      to: sub.email,
      ...fillPlan(c.plan, t, named(sub)),
      headers: [
        { name: "List-Unsubscribe", value: `<${site}/u?t=${t}>` },
        { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
      ],
    };
  }

  return {
    /** The double opt-in email (transactional: no list headers). */
    confirmation(sub: Subscriber, now: number): OutgoingEmail {
      const c = templateOf(course.confirm.id);
      return { to: sub.email, ...fillPlan(c.plan, confirmToken(sub, now), CONFIRM_NAMED) };
    },

    /**
     * The links asked for on the manage page: download and erase, an hour each (transactional:
     * no list headers, no visitor-typed text). Its two links carry two tokens, so both are
     * named values; no slot takes the plan's one token.
     */
    dataLinks(sub: Subscriber, now: number): OutgoingEmail {
      const c = templateOf(DATA_LINKS_EMAIL);
      return { to: sub.email, ...fillPlan(c.plan, "-", dataLinkValues(sub, now)) };
    },

    /** A sequence email (welcome or lesson) by its id. */
    email: marketing,

    /**
     * The content link ids email `id`'s compiled template tracks; undefined for an email the
     * compiled course no longer has (one sent before a course edit removed it).
     */
    linksOf(id: string): readonly string[] | undefined {
      return Object.hasOwn(emails, id) ? emails[id]?.links : undefined;
    },

    /**
     * The values one recipient's email `id` is filled with (the site's host included): what a
     * direct render for that recipient would be given, for checks that compare the two.
     */
    valuesFor(sub: Subscriber, id: string, now: number): Record<string, string> {
      if (id === DATA_LINKS_EMAIL) {
        return { ...dataLinkValues(sub, now), siteHost, privacyUrl: `${site}/privacy` };
      }
      const c = templateOf(id);
      const confirm = id === course.confirm.id;
      const t = confirm ? confirmToken(sub, now) : emailToken(sub, id, now);
      const links = confirm
        ? ["confirmUrl"]
        : ["unsubscribeUrl", "manageUrl", ...c.links.map((link) => `link:${link}`)];
      const values: Record<string, string> = { ...(confirm ? CONFIRM_NAMED : named(sub)) };
      for (const key of links) values[key] = `${site}${tokenPath(key)}${t}`;
      return { ...values, siteHost, privacyUrl: `${site}/privacy` };
    },
  };
}

export type Composer = ReturnType<typeof createComposer>;

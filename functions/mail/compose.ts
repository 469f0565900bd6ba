import type { OutgoingEmail } from "../adapters/mailer";
import type { Course } from "../core/content";
import { generationOf, LINK_TTL_MS } from "../core/links";
import type { Subscriber } from "../core/subscriber";
import type { Tokens } from "../core/tokens";
import type { CompiledEmail } from "./compiled";
import { compile, personalise, prefill, type RenderedTemplate } from "./personalise";

interface Ready {
  template: RenderedTemplate;
  /** Link ids the template tracks (`{{link:id}}`), found at build time. */
  links: readonly string[];
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
 * Builds each outgoing email from the templates compiled at build time: the site's host is
 * filled in once here, then each recipient's name and signed links per email. No rendering
 * happens at send time.
 */
export function createComposer({ course, emails, siteUrl, tokens }: ComposerOptions) {
  const site = siteUrl.replace(/\/+$/, "");
  const siteHost = new URL(site).host;
  const ready = new Map<string, Ready>();
  for (const [id, email] of Object.entries(emails)) {
    // The privacy notice is the same page for everyone: no token, no tracking.
    const template = prefill(email, { siteHost, privacyUrl: `${site}/privacy` });
    compile(template);
    ready.set(id, { template, links: email.links });
  }
  const templateOf = (id: string): Ready => {
    const hit = ready.get(id);
    if (!hit) throw new UnknownEmailError(`no compiled email '${id}'`);
    return hit;
  };

  /**
   * One signature per email covers all its links: a token of purpose "email" naming the
   * subscriber, their generation and the email, used by the click, unsubscribe and manage links.
   */
  function recipientValues(
    sub: Subscriber,
    c: Ready,
    emailId: string,
    now: number,
  ): Record<string, string> {
    const t = tokens.sign({
      purpose: "email",
      sid: sub.sid,
      generation: generationOf(sub),
      emailId,
      expiresAt: now + LINK_TTL_MS.email,
    });
    const values: Record<string, string> = {
      firstName: sub.firstName || "there",
      unsubscribeUrl: `${site}/u?t=${t}`,
      manageUrl: `${site}/manage?t=${t}`,
    };
    for (const id of c.links) values[`link:${id}`] = `${site}/c/${id}/${t}`;
    return values;
  }

  /**
   * The confirmation's values: its own short-lived confirm link, and no visitor-typed text
   * (the greeting is not personalised before they confirm).
   */
  const confirmValues = (sub: Subscriber, now: number): Record<string, string> => ({
    firstName: "there",
    confirmUrl: `${site}/confirm?t=${tokens.sign({
      purpose: "confirm",
      sid: sub.sid,
      generation: generationOf(sub),
      expiresAt: now + LINK_TTL_MS.confirm,
    })}`,
  });

  /** A marketing email of the sequence, with one-click unsubscribe headers. */
  function marketing(sub: Subscriber, id: string, now: number): OutgoingEmail & { id: string } {
    const c = templateOf(id);
    const values = recipientValues(sub, c, id, now);
    return {
      id,
      to: sub.email,
      ...personalise(c.template, values),
      headers: [
        { name: "List-Unsubscribe", value: `<${values.unsubscribeUrl}>` },
        { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
      ],
    };
  }

  return {
    /** The double opt-in email (transactional: no list headers). */
    confirmation(sub: Subscriber, now: number): OutgoingEmail {
      const c = templateOf(course.confirm.id);
      return { to: sub.email, ...personalise(c.template, confirmValues(sub, now)) };
    },

    /** A sequence email (welcome or lesson) by its id. */
    email: marketing,

    /**
     * The values one recipient's email `id` is filled with (the site's host included): what a
     * direct render for that recipient would be given, for checks that compare the two.
     */
    valuesFor(sub: Subscriber, id: string, now: number): Record<string, string> {
      const values =
        id === course.confirm.id
          ? confirmValues(sub, now)
          : recipientValues(sub, templateOf(id), id, now);
      return { ...values, siteHost, privacyUrl: `${site}/privacy` };
    },
  };
}

export type Composer = ReturnType<typeof createComposer>;

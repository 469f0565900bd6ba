import { createElement } from "react";
import type { BrandProps } from "../../emails/_components/types";
import ConfirmEmail from "../../emails/confirm";
import LessonEmail from "../../emails/lesson";
import WelcomeEmail from "../../emails/welcome";
import type { OutgoingEmail } from "../adapters/mailer";
import type { Course, EmailDoc, LessonDoc } from "../core/content";
import { DAY_MS, emailAt } from "../core/schedule";
import type { Subscriber } from "../core/subscriber";
import type { Tokens } from "../core/tokens";
import { PENDING_TTL_MS } from "../core/transitions";
import {
  linkPlaceholders,
  personalise,
  placeholder,
  type RenderedTemplate,
  renderTemplate,
} from "./render";

/** How long links in emails keep working. Unsubscribe links must work for years (RFC 8058). */
export const LINK_TTL_MS = {
  confirm: PENDING_TTL_MS,
  unsubscribe: 5 * 365 * DAY_MS,
  manage: 365 * DAY_MS,
  click: 365 * DAY_MS,
} as const;

const LINK_PLACEHOLDER = /\{\{link:([a-z0-9-]+)\}\}/g;

interface Compiled {
  template: RenderedTemplate;
  /** Link ids the template tracks (`{{link:id}}`), found once at render time. */
  links: string[];
}

export interface ComposerOptions {
  course: Course;
  /** Public origin links point at, e.g. https://yogaforhealthyhips.com */
  siteUrl: string;
  tokens: Tokens;
}

/**
 * Builds each outgoing email: renders each template once (cached per step and sequence
 * version) with placeholders, then personalises per recipient with signed, tracked links.
 */
export function createComposer({ course, siteUrl, tokens }: ComposerOptions) {
  const site = siteUrl.replace(/\/+$/, "");
  const { funnel } = course;
  const brand: BrandProps = {
    name: funnel.brand.name,
    teacher: funnel.brand.teacher,
    accentColor: funnel.brand.accentColor,
    postalAddress: funnel.postalAddress,
    siteUrl: site,
  };
  const cache = new Map<string, Promise<Compiled>>();

  const compiled = (key: string, build: () => Promise<RenderedTemplate>): Promise<Compiled> => {
    let hit = cache.get(key);
    if (!hit) {
      hit = build().then((template) => ({
        template,
        links: [
          ...new Set([...template.html.matchAll(LINK_PLACEHOLDER)].map((m) => m[1] as string)),
        ],
      }));
      hit.catch(() => cache.delete(key));
      cache.set(key, hit);
    }
    return hit;
  };

  const base = (doc: EmailDoc) => ({
    brand,
    preheader: doc.preheader,
    firstName: placeholder("firstName"),
    bodyMarkdown: linkPlaceholders(doc.body),
  });
  /** The content's button, if it has one, with its link as a placeholder. */
  const button = (doc: EmailDoc) =>
    doc.button && {
      label: doc.button.label,
      href: placeholder(doc.button.link === "confirm" ? "confirmUrl" : `link:${doc.button.link}`),
    };
  const marketing = {
    unsubscribeUrl: placeholder("unsubscribeUrl"),
    manageUrl: placeholder("manageUrl"),
  };

  const sign = (purpose: keyof typeof LINK_TTL_MS, sid: string, now: number, link?: string) =>
    tokens.sign({ purpose, sid, link, expiresAt: now + LINK_TTL_MS[purpose] });

  function recipientValues(sub: Subscriber, c: Compiled, now: number): Record<string, string> {
    const values: Record<string, string> = {
      firstName: sub.firstName || "there",
      unsubscribeUrl: `${site}/u?t=${sign("unsubscribe", sub.sid, now)}`,
      manageUrl: `${site}/manage?t=${sign("manage", sub.sid, now)}`,
    };
    for (const id of c.links) values[`link:${id}`] = `${site}/c/${sign("click", sub.sid, now, id)}`;
    return values;
  }

  return {
    /** The double opt-in email (transactional: no list headers). */
    async confirmation(sub: Subscriber, now: number): Promise<OutgoingEmail> {
      const doc = course.confirm;
      const c = await compiled(`confirm:${course.funnel.sequence.version}`, () =>
        renderTemplate(
          createElement(ConfirmEmail, {
            ...base(doc),
            button: button(doc) ?? { label: "Confirm my email", href: placeholder("confirmUrl") },
          }),
          doc.subject,
        ),
      );
      const values = {
        firstName: sub.firstName || "there",
        confirmUrl: `${site}/confirm?t=${sign("confirm", sub.sid, now)}`,
      };
      return { to: sub.email, ...personalise(c.template, values) };
    },

    /** The email for `step` of the sequence (0 = welcome), with one-click unsubscribe headers. */
    async step(
      sub: Subscriber,
      step: number,
      now: number,
    ): Promise<OutgoingEmail & { id: string }> {
      const email = emailAt(course, step);
      if (!email) throw new RangeError(`step ${step} is past the end of the sequence`);
      const key = `${email.kind}:${step}:${funnel.sequence.version}`;
      const c =
        email.kind === "welcome"
          ? await compiled(key, () =>
              renderTemplate(
                createElement(WelcomeEmail, {
                  ...base(course.welcome),
                  ...marketing,
                  button: button(course.welcome) ?? {
                    label: "Watch the masterclass",
                    href: placeholder("link:masterclass"),
                  },
                }),
                course.welcome.subject,
              ),
            )
          : await compiled(key, () => {
              const doc = course.lessons[step - 1] as LessonDoc;
              return renderTemplate(
                createElement(LessonEmail, {
                  ...base(doc),
                  ...marketing,
                  button: button(doc),
                  title: doc.title ?? "",
                  lessonNumber: step,
                  lessonCount: course.lessons.length,
                }),
                doc.subject,
              );
            });
      const values = recipientValues(sub, c, now);
      return {
        id: email.id,
        to: sub.email,
        ...personalise(c.template, values),
        headers: [
          { name: "List-Unsubscribe", value: `<${values.unsubscribeUrl}>` },
          { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
        ],
      };
    },
  };
}

export type Composer = ReturnType<typeof createComposer>;

import type { Course } from "../core/content";
import { CLICKS_KEPT } from "../core/limits";
import type { Consent, Status, Subscriber } from "../core/subscriber";

/** A stored click, as the store returns it. */
interface Click {
  link: string;
  at: string;
  scanner: boolean;
  /** The id of the email the link was in, where the record keeps it. */
  email?: string;
}

/** The link ids an email's compiled template tracks (`composer.linksOf`), if it is known. */
export type LinksOf = (emailId: string) => readonly string[] | undefined;

/**
 * The email a click came from: the one its record names, or else the only email sent to this
 * person whose compiled template tracks that link (undefined when several do, or none).
 */
function emailOfClick(click: Click, sent: readonly string[], linksOf?: LinksOf) {
  if (click.email) return click.email;
  if (!linksOf) return undefined;
  const from = sent.filter((id) => linksOf(id)?.includes(click.link));
  return from.length === 1 ? from[0] : undefined;
}

/** How each state reads to the person it describes. */
export const STATUS_TEXT: Record<Status, string> = {
  pending: "Waiting for you to confirm your email",
  active: "Subscribed: lessons are on their way",
  completed: "Subscribed: you have received every lesson",
  unsubscribed: "Unsubscribed",
  bounced: "Stopped: emails to you could not be delivered",
  complained: "Stopped: you marked one of our emails as spam",
};

/** "2 December 2026, 01:02 UTC"; anything that is not a time is passed through. */
export function readableTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = date.toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" });
  return `${day}, ${iso.slice(11, 16)} UTC`;
}

/** Where a piece of evidence came from, as recorded (`landing:form`, `import: <source>`...). */
function formInWords(form: string): string {
  if (form === "landing:form" || form === "landing:fetch") return "the signup form on our website";
  if (form === "confirm-page") return "the button on our confirmation page";
  if (form.startsWith("import")) {
    const source = form.slice("import".length).replace(/^:\s*/, "");
    return source
      ? `a list the teacher imported (your earlier consent: ${source})`
      : "a list the teacher imported";
  }
  return `"${form}"`;
}

/** One piece of consent evidence in words. */
export function consentInWords(what: "signed up" | "confirmed", c: Consent): string {
  const where = formInWords(c.form);
  const from = c.ip ? ` from the internet address ${c.ip}` : "";
  const browser = c.userAgent ? `, with the browser "${c.userAgent}"` : "";
  return `You ${what} on ${readableTime(c.at)} through ${where}${from}${browser}, agreeing to the consent text of version ${c.textVersion}.`;
}

/** Which emails of the course a subscriber has had, as the emails count them. */
export function progressInWords(sub: Pick<Subscriber, "received" | "sends">, course: Course) {
  const received = new Set(sub.received ?? sub.sends.map((s) => s.id));
  const lessons = course.lessons.filter((l) => received.has(l.id)).length;
  const welcome = received.has("welcome");
  const of = `${lessons} of ${course.lessons.length} lessons`;
  return welcome ? `The welcome email and ${of}` : of.charAt(0).toUpperCase() + of.slice(1);
}

/**
 * Everything stored about one subscriber, for a person to read: plain field names, dates in
 * words, consent evidence as sentences, and each email by its subject (a link opened, too, with
 * the email it was in when that is known: `linksOf` tells which emails carry which links).
 * Nothing internal (ids, leases, counters, index keys) is in it.
 */
export function readableExport(
  sub: Subscriber,
  clicks: Click[],
  course: Course,
  now: number,
  linksOf?: LinksOf,
) {
  const subjectOf = (id: string) =>
    id === "welcome"
      ? course.welcome.subject
      : (course.lessons.find((l) => l.id === id)?.subject ??
        `An email no longer in the course (${id})`);
  const linkName = (id: string) =>
    id === "play" ? "Started the masterclass video" : `Opened the "${id}" link`;
  const sent = [...new Set([...(sub.received ?? []), ...sub.sends.map((s) => s.id)])];
  const evidence = [
    consentInWords("signed up", sub.consent),
    ...(sub.signups ?? []).map((c) => consentInWords("signed up", c)),
    ...(sub.confirmations ?? []).map((c) => consentInWords("confirmed", c)),
  ];
  return {
    "About this file": `Everything ${course.funnel.brand.name} stores about you, as of ${readableTime(new Date(now).toISOString())}.`,
    "Email address": sub.email,
    "First name": sub.firstName || "Not given",
    Status: STATUS_TEXT[sub.status],
    "Signed up": readableTime(sub.createdAt),
    Confirmed: readableTime(sub.confirmedAt) ?? "Not yet",
    ...(sub.endedAt ? { Ended: readableTime(sub.endedAt) } : {}),
    ...(sub.pausedAt ? { "Paused by the teacher": readableTime(sub.pausedAt) } : {}),
    "Time zone for sending": sub.timeZone,
    "Your consent": evidence,
    "Course progress": progressInWords(sub, course),
    "Emails sent to you": sub.sends.map((s) => ({
      Email: subjectOf(s.id),
      Sent: readableTime(s.at),
    })),
    "Emails that could not be sent to you": (sub.failures ?? []).map((f) => ({
      Email: subjectOf(f.id),
      When: readableTime(f.at),
    })),
    "About the links you opened": `Only the latest ${CLICKS_KEPT} opens of each link are kept (yours and a mail scanner's apart); older ones are not stored.`,
    "Links you opened": clicks.map((c) => {
      const email = c.link === "play" ? undefined : emailOfClick(c, sent, linksOf);
      return {
        What: linkName(c.link),
        ...(email ? { "In the email": subjectOf(email) } : {}),
        When: readableTime(c.at),
        "Counted as": c.scanner ? "probably a mail security scanner, not you" : "you",
      };
    }),
  };
}

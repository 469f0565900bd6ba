import { createElement, type ReactElement } from "react";
import type { BrandProps } from "../../emails/_components/types";
import ConfirmEmail, { type ConfirmEmailProps } from "../../emails/confirm";
import DataLinksEmail, {
  DATA_LINKS_SUBJECT,
  type DataLinksEmailProps,
} from "../../emails/data-links";
import LessonEmail, { type LessonEmailProps } from "../../emails/lesson";
import WelcomeEmail, { type WelcomeEmailProps } from "../../emails/welcome";
import { type Course, type EmailDoc, linkPlaceholderKey } from "../core/content";
import { type CompiledEmail, DATA_LINKS_EMAIL } from "./compiled";
import { placeholder, renderTemplate } from "./render";

/**
 * Build time only: renders every email of the course once with react-email, leaving the
 * per-recipient values as `{{placeholders}}`: the name, the signed links, and the site's host
 * (known only where the stack runs). The Lambdas carry the result, never React.
 */

const LINK_PLACEHOLDER = /\{\{link:([a-z0-9-]+)\}\}/g;

/**
 * What goes where a per-recipient value will be: `placeholder` at build time (the default), or
 * the values themselves to render one recipient's email directly (tests and the bench compare
 * the two byte for byte).
 */
export type Fill = (key: string) => string;

/** Which template an email uses, and the props it is rendered with. */
export type EmailProps =
  | { template: "confirm"; props: ConfirmEmailProps }
  | { template: "welcome"; props: WelcomeEmailProps }
  | { template: "lesson"; props: LessonEmailProps }
  | { template: "data-links"; props: DataLinksEmailProps };

/**
 * Each email of the course by id: its template and props, made on demand (a direct render
 * for one recipient has the values of that email only).
 */
export function emailProps(course: Course, fill: Fill = placeholder) {
  const { funnel, confirm, welcome, lessons } = course;
  // The footer names the site by its host, known only where the stack runs.
  const brand: BrandProps = {
    name: funnel.brand.name,
    teacher: funnel.brand.teacher,
    accentColor: funnel.brand.accentColor,
    postalAddress: funnel.postalAddress,
    siteUrl: fill("siteHost"),
    ...(course.privacy ? { privacyUrl: fill("privacyUrl") } : {}),
  };
  /** The content's button, if it has one. */
  const button = (doc: EmailDoc) =>
    doc.button && {
      label: doc.button.label,
      href: fill(linkPlaceholderKey(doc.button.link)),
    };
  const base = (doc: EmailDoc) => ({
    brand,
    preheader: doc.preheader,
    firstName: fill("firstName"),
    bodyMarkdown: doc.body.replace(
      /\]\(link:([^)\s]*)\)/g,
      (_m, id: string) => `](${fill(linkPlaceholderKey(id))})`,
    ),
  });
  const marketing = () => ({
    unsubscribeUrl: fill("unsubscribeUrl"),
    manageUrl: fill("manageUrl"),
  });

  const out = new Map<string, () => EmailProps>();
  out.set(confirm.id, () => ({
    template: "confirm",
    props: {
      ...base(confirm),
      button: button(confirm) ?? { label: "Confirm my email", href: fill("confirmUrl") },
    },
  }));
  out.set(welcome.id, () => ({
    template: "welcome",
    props: {
      ...base(welcome),
      ...marketing(),
      button: button(welcome) ?? {
        label: "Watch the masterclass",
        href: fill("link:masterclass"),
      },
      secondaryButton: welcome.secondaryButton && {
        label: welcome.secondaryButton.label,
        href: fill(linkPlaceholderKey(welcome.secondaryButton.link)),
      },
    },
  }));
  lessons.forEach((doc, i) => {
    out.set(doc.id, () => ({
      template: "lesson",
      props: {
        ...base(doc),
        ...marketing(),
        button: button(doc),
        title: doc.title ?? "",
        lessonNumber: i + 1,
        lessonCount: lessons.length,
        // After the last lesson: what to do next, from content (none when it has none).
        nextStepMarkdown:
          i === lessons.length - 1 && funnel.nextStep
            ? funnel.nextStep.replace(
                /\]\(link:([^)\s]*)\)/g,
                (_m, id: string) => `](${fill(linkPlaceholderKey(id))})`,
              )
            : undefined,
      },
    }));
  });
  // Not a content document: the links a subscriber asks for on their data page.
  out.set(DATA_LINKS_EMAIL, () => ({
    template: "data-links",
    props: { brand, exportUrl: fill("exportUrl"), eraseUrl: fill("eraseUrl") },
  }));
  return out;
}

/** The React element of an email's props. */
export function elementOf(e: EmailProps): ReactElement {
  switch (e.template) {
    case "confirm":
      return createElement(ConfirmEmail, e.props);
    case "welcome":
      return createElement(WelcomeEmail, e.props);
    case "lesson":
      return createElement(LessonEmail, e.props);
    case "data-links":
      return createElement(DataLinksEmail, e.props);
  }
}

/** Each email of the course by id: its subject and how to make its React element. */
export function emailElements(course: Course, fill: Fill = placeholder) {
  const subjects = new Map([
    ...[course.confirm, course.welcome, ...course.lessons].map((d) => [d.id, d.subject] as const),
    [DATA_LINKS_EMAIL, DATA_LINKS_SUBJECT] as const,
  ]);
  const elements = new Map<string, { element: () => ReactElement; subject: string }>();
  for (const [id, props] of emailProps(course, fill)) {
    elements.set(id, { subject: subjects.get(id) ?? "", element: () => elementOf(props()) });
  }
  return elements;
}

/**
 * Renders every email of the course (confirmation, welcome, each lesson) and the data-links
 * email once.
 * @example const emails = await compileEmails(loadCourse("content")); emails.welcome.html;
 */
export async function compileEmails(course: Course): Promise<Record<string, CompiledEmail>> {
  const out: Record<string, CompiledEmail> = {};
  for (const [id, { element, subject }] of emailElements(course)) {
    const t = await renderTemplate(element(), subject);
    const links = [...new Set([...t.html.matchAll(LINK_PLACEHOLDER)].map((m) => m[1] as string))];
    out[id] = { subject: t.subject, html: t.html, text: t.text, links };
  }
  return out;
}

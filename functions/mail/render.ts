import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";
import { compile, MANGLED, PlaceholderError, type RenderedTemplate } from "./personalise";

/**
 * Build time only: render a react-email template once, with `{{placeholders}}` left in place.
 * The Lambdas never import this module (nor React); they carry the compiled result and
 * ./personalise.ts, which fills the placeholders per recipient.
 */
export {
  isUrlKey,
  linkPlaceholders,
  PlaceholderError,
  personalise,
  placeholder,
  type RenderedTemplate,
} from "./personalise";

const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"];

/**
 * Plain-text conversion (html-to-text, as `render(el, { plainText: true, htmlToTextOptions })`
 * uses): headings keep their case (html-to-text uppercases them by default), and lines are
 * never wrapped, so a long URL or a placeholder is never split.
 */
export const htmlToTextOptions = {
  wordwrap: false as const,
  selectors: HEADINGS.map((selector) => ({ selector, options: { uppercase: false } })),
};

/** A link in plain text: an http(s) address, or the placeholder one will be filled into. */
const LINK = String.raw`(?:https?:\/\/[^\s]+?|\{\{(?:link:[a-z0-9-]+|[A-Za-z]+Url)\}\})`;
const INLINE_LINK = new RegExp(`[ \\t]*(${LINK})([.,;:!?]*)(?=\\s|$)`, "g");

/**
 * The plain-text part: every link on a line of its own, with nothing touching it, so a reader
 * who copies it copies the link and only the link. Punctuation that followed a link stays with
 * the sentence, before it; a footer's "·" separator goes.
 * @example plainText('<p>See <a href="https://x.example/a">the guide</a>.</p>')
 * // "See the guide.\nhttps://x.example/a"
 */
export function plainText(html: string): string {
  return toPlainText(html, htmlToTextOptions)
    .replace(INLINE_LINK, (_m, link: string, punct: string) => `${punct}\n${link}\n`)
    .replace(/\n[ \t]*(?:·[ \t]*)?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Render a template once with `{{name}}` placeholders left in place, as HTML and plain text.
 *
 * @example
 * const t = await renderTemplate(<WelcomeEmail {...props} firstName="{{firstName}}" />, "Welcome, {{firstName}}");
 */
export async function renderTemplate(
  element: ReactElement,
  subject: string,
): Promise<RenderedTemplate> {
  const html = await render(element);
  // Same result as render(element, { plainText: true, htmlToTextOptions }) without rendering
  // the React tree a second time.
  const text = plainText(html);
  if (MANGLED.test(html) || MANGLED.test(text)) {
    throw new PlaceholderError("a {{placeholder}} was encoded during rendering");
  }
  const rendered = { subject, html, text };
  compile(rendered);
  return rendered;
}

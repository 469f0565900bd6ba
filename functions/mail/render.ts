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
  const text = toPlainText(html, htmlToTextOptions);
  if (MANGLED.test(html) || MANGLED.test(text)) {
    throw new PlaceholderError("a {{placeholder}} was encoded during rendering");
  }
  const rendered = { subject, html, text };
  compile(rendered);
  return rendered;
}

/**
 * Personalising a compiled email: filling `{{placeholders}}` into an already-rendered template
 * costs microseconds. Because the values go in after React, this module does the escaping and
 * URL checks React would have done. It imports nothing heavy: the Lambdas carry it.
 */

/** A rendered email with `{{name}}` placeholders still in place. */
export interface RenderedTemplate {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** A placeholder is unknown, malformed, or a value is not allowed where it goes. */
export class PlaceholderError extends Error {
  override readonly name = "PlaceholderError";
}

/** `firstName`, `unsubscribeUrl`, `link:masterclass` ... */
const KEY = /^(?:[a-z][A-Za-z0-9]*|link:[a-z0-9-]+)$/;
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
/** What a placeholder looks like after an encoder got to it; it would never be filled in. */
export const MANGLED = /%7B%7B|&#123;|&#x7B;|&lbrace;|&lcub;/i;
const HTTP_URL = /^https?:\/\/[^\s<>"'`]+$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: header-breaking characters are the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** `{{key}}`, e.g. `placeholder("link:guide")` for a button href. */
export function placeholder(key: string): string {
  if (!KEY.test(key)) throw new PlaceholderError(`not a placeholder name: '${key}'`);
  return `{{${key}}}`;
}

/** Whether a placeholder name holds a URL (and so must be an http(s) URL). */
export function isUrlKey(key: string): boolean {
  return key.endsWith("Url") || key.startsWith("link:");
}

/**
 * Fill in the placeholders for one recipient: HTML-escaped in `html`, raw in `text` and
 * `subject` (control characters in the subject become spaces). Throws PlaceholderError for a
 * placeholder with no value, or a URL value (`*Url`, `link:*`) that is not an http(s) URL.
 *
 * @example
 * personalise(t, { firstName: "Ana", unsubscribeUrl: "https://example.com/u?t=abc" });
 */
export function personalise(t: RenderedTemplate, values: Record<string, string>): RenderedTemplate {
  for (const [key, value] of Object.entries(values)) {
    if (isUrlKey(key) && !isHttpUrl(value)) {
      throw new PlaceholderError(`{{${key}}} must be an http(s) URL`);
    }
  }
  const parts = compile(t);
  return {
    subject: fill(parts.subject, values, (v) => v.replace(CONTROL, " ")),
    html: fill(parts.html, values, escapeHtml),
    text: fill(parts.text, values, (v) => v),
  };
}

/**
 * Fill in only the placeholders named in `values` (the same for every recipient, such as the
 * site's host), escaped as {@link personalise} does; the others stay for later.
 *
 * @example
 * const t2 = prefill(t, { siteHost: "example.com" }); personalise(t2, perRecipient);
 */
export function prefill(t: RenderedTemplate, values: Record<string, string>): RenderedTemplate {
  const parts = compile(t);
  const some = (p: Parts, encode: (v: string) => string) =>
    p
      .map((part, i) =>
        i % 2 === 1 && Object.hasOwn(values, part)
          ? encode(values[part] as string)
          : i % 2 === 1
            ? `{{${part}}}`
            : part,
      )
      .join("");
  return {
    subject: some(parts.subject, (v) => v.replace(CONTROL, " ")),
    html: some(parts.html, escapeHtml),
    text: some(parts.text, (v) => v),
  };
}

/**
 * Replace markdown link targets `(link:<id>)` with `({{link:<id>}})` placeholders.
 *
 * @example
 * linkPlaceholders("[the guide](link:guide)") // "[the guide]({{link:guide}})"
 */
export function linkPlaceholders(markdown: string): string {
  return markdown.replace(/\]\(link:([^)\s]*)\)/g, (_match, id: string) => {
    return `](${placeholder(`link:${id}`)})`;
  });
}

function isHttpUrl(value: string): boolean {
  if (!HTTP_URL.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.host !== "";
  } catch {
    return false;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#x27;",
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** Literal text at even indexes, placeholder names at odd ones. */
type Parts = readonly string[];
interface Compiled {
  subject: Parts;
  html: Parts;
  text: Parts;
}

/** Split once per template, so each personalise() is a join rather than a regex scan. */
const compiled = new WeakMap<RenderedTemplate, Compiled>();

/** Splits a template into literal parts and placeholder names once; throws on a malformed one. */
export function compile(t: RenderedTemplate): Compiled {
  let c = compiled.get(t);
  if (!c) {
    c = { subject: split(t.subject), html: split(t.html), text: split(t.text) };
    compiled.set(t, c);
  }
  return c;
}

function split(source: string): Parts {
  const parts = source.split(PLACEHOLDER);
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i] as string;
    if (!KEY.test(key)) throw new PlaceholderError(`malformed placeholder {{${key}}}`);
  }
  return parts;
}

function fill(parts: Parts, values: Record<string, string>, encode: (v: string) => string): string {
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i] as string;
    const value = Object.hasOwn(values, key) ? values[key] : undefined;
    if (value === undefined) throw new PlaceholderError(`no value for placeholder {{${key}}}`);
    out += encode(value) + (parts[i + 1] as string);
  }
  return out;
}

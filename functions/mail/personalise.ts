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

/** Whether `value` is an absolute http(s) URL with a host. */
export function isHttpUrl(value: string): boolean {
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

/** `&<>"'` as entities: what React does to text and attribute values. */
export function escapeHtml(value: string): string {
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

/**
 * A template made ready for many recipients: literal text already encoded, with the places
 * for each recipient's token and named values between. Filling one is a string join.
 */
export interface FillPlan {
  readonly subject: Segments;
  readonly html: Segments;
  readonly text: Segments;
}

/** `lits[0] slot[0] lits[1] ... lits[n]`; a slot is a value name or {@link TOKEN}. */
interface Segments {
  readonly lits: readonly string[];
  readonly slots: readonly string[];
}

/** The slot of the recipient's token in a {@link FillPlan}. */
const TOKEN = "";
/** What a token may contain to go into HTML, a subject and a URL unencoded. */
const TOKEN_CHARS = /^[A-Za-z0-9_.-]+$/;

const SUBJECT = (v: string) => v.replace(CONTROL, " ");
const TEXT = (v: string) => v;

/**
 * Prepares `t` for {@link fillPlan}. `tokenLink(key)` gives the fixed start of a URL placeholder
 * whose value is that start followed by the recipient's token (e.g. `unsubscribeUrl` ->
 * `https://example.com/u?t=`), or undefined for a placeholder filled by name. Each start is
 * checked as an http(s) URL and encoded here, once, rather than for every recipient.
 * @example
 * const plan = planFill(t, (k) => (k === "unsubscribeUrl" ? `${site}/u?t=` : undefined));
 * fillPlan(plan, token, { firstName: "Ana" });
 */
export function planFill(
  t: RenderedTemplate,
  tokenLink: (key: string) => string | undefined,
): FillPlan {
  const parts = compile(t);
  const plan = (p: Parts, encode: (v: string) => string): Segments => {
    const lits: string[] = [];
    const slots: string[] = [];
    let lit = p[0] as string;
    for (let i = 1; i < p.length; i += 2) {
      const key = p[i] as string;
      const start = tokenLink(key);
      if (start !== undefined) {
        if (!isHttpUrl(`${start}x`))
          throw new PlaceholderError(`{{${key}}} must be an http(s) URL`);
        lits.push(lit + encode(start));
        slots.push(TOKEN);
      } else {
        lits.push(lit);
        slots.push(key);
      }
      lit = p[i + 1] as string;
    }
    lits.push(lit);
    return { lits, slots };
  };
  return {
    subject: plan(parts.subject, SUBJECT),
    html: plan(parts.html, escapeHtml),
    text: plan(parts.text, TEXT),
  };
}

/**
 * One recipient's email from a {@link planFill} plan: the same bytes {@link personalise} gives
 * for the same values, with each named value encoded once per part rather than per use.
 * Throws PlaceholderError for a named placeholder with no value, or a token that is not plain
 * base64url.
 */
export function fillPlan(
  plan: FillPlan,
  token: string,
  values: Readonly<Record<string, string>>,
): RenderedTemplate {
  if (!TOKEN_CHARS.test(token)) throw new PlaceholderError("a token must be base64url text");
  return {
    subject: fillSegments(plan.subject, token, values, SUBJECT),
    html: fillSegments(plan.html, token, values, escapeHtml),
    text: fillSegments(plan.text, token, values, TEXT),
  };
}

function fillSegments(
  s: Segments,
  token: string,
  values: Readonly<Record<string, string>>,
  encode: (v: string) => string,
): string {
  const { lits, slots } = s;
  const encoded: Record<string, string> = {};
  let out = lits[0] as string;
  for (let i = 0; i < slots.length; i++) {
    const key = slots[i] as string;
    let value = token;
    if (key !== TOKEN) {
      value = encoded[key] as string;
      if (value === undefined) {
        const raw = Object.hasOwn(values, key) ? values[key] : undefined;
        if (raw === undefined) throw new PlaceholderError(`no value for placeholder {{${key}}}`);
        if (isUrlKey(key) && !isHttpUrl(raw)) {
          throw new PlaceholderError(`{{${key}}} must be an http(s) URL`);
        }
        value = encoded[key] = encode(raw);
      }
    }
    out += value + (lits[i + 1] as string);
  }
  return out;
}

import { domainToASCII } from "node:url";
import * as z from "zod/mini";

// One dot-atom local part and a domain with a TLD: what real mailboxes use. Quoted local parts
// and IP-literal domains are valid in RFC 5321 but are only ever seen from abuse.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// Labels of letters, digits and hyphens; the TLD is letters or an IDN TLD in punycode (xn--…).
const DOMAIN =
  /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Bidirectional overrides, embeddings, isolates and marks: they reorder how text reads. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding non-ASCII is the point
const NON_ASCII = /[^\u0000-\u007f]/;

const GMAIL = new Set(["gmail.com", "googlemail.com"]);

/**
 * Trims, lower-cases the domain and writes an internationalised domain in punycode
 * (`ana@bücher.example` → `ana@xn--bcher-kva.example`); the local part keeps its case.
 */
export function normaliseEmail(raw: string): string {
  const trimmed = raw.trim();
  const at = trimmed.lastIndexOf("@");
  if (at < 0) return trimmed;
  const domain = trimmed.slice(at + 1).toLowerCase();
  const ascii = NON_ASCII.test(domain) ? domainToASCII(domain) : domain;
  return `${trimmed.slice(0, at)}@${ascii || domain}`;
}

/** The key an address is known by: whole address lower-cased (mailboxes are case-insensitive in practice). */
export function emailKey(email: string): string {
  return normaliseEmail(email).toLowerCase();
}

/**
 * The mailbox an address delivers to, for limits that protect the person behind it: lower-cased,
 * `+tag` removed, and for Gmail dots removed and googlemail.com read as gmail.com. Only limits
 * use it: `a+x@` and `a+y@` stay distinct subscribers.
 * @example canonicalMailbox("A.n.a+hips@GoogleMail.com") // "ana@gmail.com"
 */
export function canonicalMailbox(email: string): string {
  const key = emailKey(email);
  const at = key.lastIndexOf("@");
  let local = key.slice(0, at).split("+")[0] as string;
  let domain = key.slice(at + 1);
  if (GMAIL.has(domain)) {
    local = local.replaceAll(".", "");
    domain = "gmail.com";
  }
  return `${local}@${domain}`;
}

const addressIssue = (s: string): string | undefined => {
  const at = s.lastIndexOf("@");
  if (at < 1) return "email is not a valid address";
  const local = s.slice(0, at);
  if (NON_ASCII.test(local)) {
    return "the part before the @ can only use letters a to z, digits and . _ + - (no accents or other scripts)";
  }
  const domain = normaliseEmail(s).slice(local.length + 1);
  if (local.length > 64 || !LOCAL.test(local) || !DOMAIN.test(domain)) {
    return "email is not a valid address";
  }
  return undefined;
};

/**
 * A deliverable-looking address: trimmed, ≤ 254 chars, no control characters, dot-atom@domain.tld.
 * Unicode domains are accepted and stored in punycode; a Unicode local part is refused with a
 * message that says so (few mail systems deliver to one).
 */
export const EmailSchema = z.pipe(
  z.pipe(
    z.string({ error: "email is required" }).check(z.maxLength(320, "email is too long")),
    z.transform((s: string) => s.trim()),
  ),
  z.pipe(
    z.string().check(
      z.minLength(1, "email is required"),
      z.maxLength(254, "email is longer than 254 characters"),
      z.refine((s) => !CONTROL.test(s) && !BIDI.test(s), "email contains control characters"),
      z.superRefine((s, ctx) => {
        const message = addressIssue(s);
        if (message) ctx.issues.push({ code: "custom", message, input: s });
      }),
    ),
    z.transform(normaliseEmail),
  ),
);

/**
 * A first name: optional, trimmed, ≤ 80 chars. Control characters and bidirectional controls
 * are refused: they could make the name read differently from what it is.
 */
export const FirstNameSchema = z.pipe(
  z.string().check(
    z.maxLength(200, "firstName is too long"),
    z.refine((s) => !CONTROL.test(s), "firstName contains control characters"),
    z.refine((s) => !BIDI.test(s), "firstName contains text-direction controls"),
  ),
  z.pipe(
    z.transform((s: string) => s.trim().replace(/\s+/g, " ")),
    z.string().check(z.maxLength(80, "firstName is longer than 80 characters")),
  ),
);

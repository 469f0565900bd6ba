import * as z from "zod/mini";

// One dot-atom local part and a domain with a TLD: what real mailboxes use. Quoted local parts
// and IP-literal domains are valid in RFC 5321 but are only ever seen from abuse.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Trims and lower-cases the domain; the local part keeps its case as the user typed it. */
export function normaliseEmail(raw: string): string {
  const trimmed = raw.trim();
  const at = trimmed.lastIndexOf("@");
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** The key an address is known by: whole address lower-cased (mailboxes are case-insensitive in practice). */
export function emailKey(email: string): string {
  return normaliseEmail(email).toLowerCase();
}

/** A deliverable-looking address: trimmed, ≤ 254 chars, no control characters, dot-atom@domain.tld. */
export const EmailSchema = z.pipe(
  z.string({ error: "email is required" }).check(z.maxLength(320, "email is too long"), z.trim()),
  z.pipe(
    z.string().check(
      z.minLength(1, "email is required"),
      z.maxLength(254, "email is longer than 254 characters"),
      z.refine((s) => !CONTROL.test(s), "email contains control characters"),
      z.refine((s) => {
        const at = s.lastIndexOf("@");
        if (at < 1) return false;
        const local = s.slice(0, at);
        return local.length <= 64 && LOCAL.test(local) && DOMAIN.test(s.slice(at + 1));
      }, "email is not a valid address"),
    ),
    z.transform(normaliseEmail),
  ),
);

/** A first name: optional, trimmed, ≤ 80 chars, no control characters or angle brackets games. */
export const FirstNameSchema = z.pipe(
  z.pipe(
    z.string().check(
      z.maxLength(200, "firstName is too long"),
      z.refine((s) => !CONTROL.test(s), "firstName contains control characters"),
    ),
    z.transform((s: string) => s.trim().replace(/\s+/g, " ")),
  ),
  z.string().check(z.maxLength(80, "firstName is longer than 80 characters")),
);

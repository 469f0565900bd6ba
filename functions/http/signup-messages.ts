/**
 * What the signup form says when it refuses a post: one whole, friendly sentence per field,
 * the same whether the browser sent JSON (script) or a plain form post (no script).
 */

/** A refused field and the sentence shown for it. */
export interface FieldIssue {
  path: string;
  message: string;
}

const SENTENCES = {
  emailMissing: "Please enter your email address, so I know where to send the masterclass.",
  emailTooLong: "That email address is too long. Please check it and try again.",
  emailUnicodeLocal:
    "Please use only the letters a to z, digits and . _ + - before the @ (no accents or other scripts): most mail systems can’t deliver to anything else.",
  emailInvalid:
    "That email address doesn’t look quite right. Please check it: it should look like name@example.com.",
  nameTooLong: "Please shorten your first name to 80 characters or fewer.",
  nameInvalid: "Your first name has characters I can’t use. Please type it again.",
  form: "Something in the form didn’t come through. Please reload the page and try again.",
} as const;

function fieldOf(raw: unknown, key: string): unknown {
  return raw && typeof raw === "object" ? (raw as Record<string, unknown>)[key] : undefined;
}

function sentenceFor(field: string, message: string, raw: unknown): string {
  if (field === "email") {
    const value = fieldOf(raw, "email");
    if (typeof value !== "string" || value.trim() === "") return SENTENCES.emailMissing;
    if (/too long|longer than/.test(message)) return SENTENCES.emailTooLong;
    if (/before the @/.test(message)) return SENTENCES.emailUnicodeLocal;
    return SENTENCES.emailInvalid;
  }
  if (field === "firstName") {
    return /too long|longer than/.test(message) ? SENTENCES.nameTooLong : SENTENCES.nameInvalid;
  }
  return SENTENCES.form;
}

/**
 * Turns validation issues into one sentence per field, in form order (email first).
 * @example friendlyIssues([{ path: ["email"], message: "email is not a valid address" }], { email: "a@b" })
 * // [{ path: "email", message: "That email address doesn’t look quite right. …" }]
 */
export function friendlyIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  raw: unknown,
): FieldIssue[] {
  const out = new Map<string, FieldIssue>();
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "");
    if (out.has(field)) continue;
    out.set(field, { path: field, message: sentenceFor(field, issue.message, raw) });
  }
  const order = (p: string) => (p === "email" ? 0 : p === "firstName" ? 1 : 2);
  return [...out.values()].sort((a, b) => order(a.path) - order(b.path));
}

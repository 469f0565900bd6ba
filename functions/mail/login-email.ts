import { html } from "hono/html";
import type { OutgoingEmail } from "../adapters/mailer";

/** The sign-in email: one link, what it does, and what to do if it was not you. */
export async function loginEmail(to: string, brand: string, url: string): Promise<OutgoingEmail> {
  const body = await html`<!doctype html>
<html lang="en"><body style="font-family:system-ui,sans-serif;color:#2b2622;line-height:1.5">
<p>Someone, hopefully you, asked to sign in to the dashboard of ${brand}.</p>
<p><a href="${url}">Sign in to the dashboard</a></p>
<p>The link works once, within 15 minutes. If you did not ask for it, ignore this email: nobody can sign in without it.</p>
</body></html>`;
  return {
    to,
    subject: `Sign in to ${brand}`,
    html: String(body),
    text: [
      `Someone, hopefully you, asked to sign in to the dashboard of ${brand}.`,
      "",
      `Sign in: ${url}`,
      "",
      "The link works once, within 15 minutes. If you did not ask for it, ignore this email: nobody can sign in without it.",
    ].join("\n"),
  };
}

import { expect } from "vitest";

/** A message as the SES emulator's `GET /store` returns it. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html: string; text: string };
  headers?: { name: string; value: string }[];
  at: number;
}

/** Reads the emulator's inbox, optionally for one recipient. */
export async function inbox(inboxUrl: string, to?: string): Promise<StoredEmail[]> {
  const res = await fetch(`${inboxUrl}/store`);
  const { emails } = (await res.json()) as { emails: StoredEmail[] };
  return to ? emails.filter((e) => e.destination.to.includes(to)) : emails;
}

/** The first link in `html` whose href starts with `prefix` (HTML entities decoded). */
export function linkIn(html: string, prefix: string): string {
  const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) =>
    (m[1] as string).replaceAll("&amp;", "&"),
  );
  const found = hrefs.find((h) => h.startsWith(prefix));
  expect(found, `a link starting with ${prefix}`).toBeDefined();
  return found as string;
}

export function header(email: StoredEmail, name: string): string | undefined {
  return email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** Tracked links (`<site>/c/<link id>/<token>`) in `html`, by link id. */
export function trackedLinks(html: string, siteUrl: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/href="([^"]+)"/g)) {
    const href = (m[1] as string).replaceAll("&amp;", "&");
    if (!href.startsWith(`${siteUrl}/c/`)) continue;
    const link = href.slice(`${siteUrl}/c/`.length).split("/")[0] ?? "";
    out[link] = href;
  }
  return out;
}

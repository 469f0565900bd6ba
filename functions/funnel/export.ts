import type { Store } from "../adapters/store";
import { formatCsv } from "../core/csv";
import type { Subscriber } from "../core/subscriber";

export const EXPORT_COLUMNS = [
  "email",
  "firstName",
  "status",
  "paused",
  "signedUpAt",
  "confirmedAt",
  "endedAt",
  "timeZone",
  "consentAt",
  "consentSource",
  "consentTextVersion",
  "consentIp",
  "lastEmail",
  "emailsSent",
] as const;

/**
 * A cell a spreadsheet must not run: text starting with = + - @ (or a tab or carriage return)
 * is read as a formula, so it gets a leading apostrophe.
 */
const safe = (v: string | undefined) => {
  const s = v ?? "";
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
};

function row(s: Subscriber): string[] {
  return [
    s.email,
    s.firstName,
    s.status,
    s.pausedAt ? "yes" : "",
    s.createdAt,
    s.confirmedAt,
    s.endedAt,
    s.timeZone,
    s.consent.at,
    s.consent.form,
    s.consent.textVersion,
    s.consent.ip,
    s.lastId ?? s.sends.at(-1)?.id,
    String(s.sends.length),
  ].map(safe);
}

/** Every subscriber as CSV (header row first), with status, dates and consent evidence. */
export async function subscribersCsv(store: Pick<Store, "scanSubscribers">): Promise<string> {
  const rows: string[][] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.scanSubscribers(cursor);
    for (const s of page.items) rows.push(row(s));
    cursor = page.cursor;
  } while (cursor);
  rows.sort((a, b) => (a[4] ?? "").localeCompare(b[4] ?? ""));
  return formatCsv([EXPORT_COLUMNS, ...rows]);
}

import type { Report } from "../../functions/funnel/report";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pad = (s: string | number, w: number) => String(s).padStart(w);
const BARS = " ▁▂▃▄▅▆▇█";

/** A row of block characters, one per value, scaled to the largest. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  if (max === 0) return "▁".repeat(values.length);
  return values
    .map((v) => BARS[Math.max(1, Math.round((v / max) * (BARS.length - 1)))] ?? "▁")
    .join("");
}

/** The report as a person reads it in a terminal: funnel, last 30 days, emails, list. */
export function reportText(r: Report, days = 30): string {
  const f = r.funnel;
  const c = r.conversions;
  const recent = r.daily.slice(-days);
  const total = (k: "signups" | "confirmations") => recent.reduce((a, d) => a + d[k], 0);
  // Whole ids, however long: the column is as wide as the longest (the ids are the emails'
  // names in content/, and the ones `npm run report -- --json` and /admin use).
  const idWidth = Math.max(4, ...r.emails.map((e) => e.id.length));
  const lines = [
    `Funnel (all time)`,
    `  signups    ${pad(f.signups, 7)}`,
    `  confirmed  ${pad(f.confirmed, 7)}  ${pad(pct(c.confirmed), 6)} of signups`,
    `  clicked    ${pad(f.clicked, 7)}  ${pad(pct(c.clicked), 6)} of confirmed (people, not scanners)`,
    `  watched    ${pad(f.watched, 7)}  ${pad(pct(c.watched), 6)} of clicked`,
    `  completed  ${pad(f.completed, 7)}  ${pad(pct(c.completed), 6)} of confirmed`,
    ``,
    `Last ${recent.length} days (${recent[0]?.day} to ${recent.at(-1)?.day})`,
    `  signups        ${sparkline(recent.map((d) => d.signups))}  ${total("signups")}`,
    `  confirmations  ${sparkline(recent.map((d) => d.confirmations))}  ${total("confirmations")}`,
    ``,
    `${"Emails".padEnd(2 + idWidth)}  sent  clicks  scanner  click rate  unsubs  bounces  complaints  rejects`,
    ...r.emails.map(
      (e) =>
        `  ${e.id.padEnd(idWidth)}${pad(e.sent, 6)}${pad(e.humanClicks, 8)}${pad(e.scannerClicks, 9)}${pad(pct(e.clickRate), 12)}${pad(e.unsubscribes, 8)}${pad(e.bounces, 9)}${pad(e.complaints, 12)}${pad(e.rejects, 9)}`,
    ),
    ``,
    `Subscribers  ${Object.entries(r.subscribers)
      .map(([k, v]) => `${k} ${v}`)
      .join(" · ")}`,
    `Due in the next 24 hours  ${r.dueNext24h}`,
    `Failures  rejected sends ${r.failures.rejects} · dead letters ${r.failures.deadLetters ?? "n/a (no dead-letter queue locally)"}`,
  ];
  return lines.join("\n");
}

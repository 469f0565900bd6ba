import type { SequenceDiff } from "../../functions/funnel/sequence-diff";

const day = (iso?: string) => (iso ? iso.slice(0, 16).replace("T", " ") : "");
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** The diff for a person at a terminal: what changes, then who receives what next, and when. */
export function sequenceDiffText(d: SequenceDiff): string {
  const lines: string[] = [];
  lines.push(
    d.published
      ? `Published: ${d.published.hash} (${plural(d.published.emails, "email")}, ${day(d.published.publishedAt)} UTC)`
      : "Published: nothing yet (every lesson is new)",
  );
  lines.push(
    `content/:  ${d.draft.hash} (${plural(d.draft.emails, "email")})${d.draft.alreadyPublished ? "  already published" : ""}`,
  );
  lines.push("");
  const { added, removed, moved, delays } = d.changes;
  if (!added.length && !removed.length && !moved.length && !delays.length) {
    lines.push("No changes to the sequence.");
  } else {
    for (const a of added) lines.push(`  + added    ${a.id} (at position ${a.position})`);
    for (const r of removed) lines.push(`  - removed  ${r} (never sent again)`);
    for (const m of moved) lines.push(`  ~ moved    ${m.id} (position ${m.from} -> ${m.to})`);
    for (const c of delays)
      lines.push(`  ~ delay    ${c.id}: ${c.before} -> ${c.after} days after the previous email`);
  }
  lines.push("");
  const { active, completed } = d.subscribers;
  lines.push(
    `Today's subscribers: ${plural(active, "active subscriber")}, ${completed} completed. Next email once content/ is live:`,
  );
  if (!d.next.length) lines.push("  (nobody)");
  const width = Math.max(12, ...d.next.map((g) => (g.id ?? "").length));
  for (const g of d.next) {
    const what = (g.id ?? "(nothing: completes)").padEnd(width + 2);
    const when = g.first
      ? `  ${day(g.first)}${day(g.last) !== day(g.first) ? ` .. ${day(g.last)}` : ""} UTC`
      : "";
    const changed = g.changed ? `  (${g.changed} changed by this edit)` : "";
    lines.push(`  ${what}${String(g.subscribers).padStart(6)}${when}${changed}`);
  }
  return lines.join("\n");
}

import type { Send } from "./faults";

/** When a subscriber's unsubscribe was written: the span of the write that committed it. */
export interface Left {
  start: number;
  end: number;
}

/**
 * Sends to people who left, against the moment their unsubscribe was written (its commit lies
 * in the write's span). `after`: the SES call started once the write had begun, counted against
 * the product even when the write was still in flight (so the count never flatters). `during`:
 * the write landed while the SES call was in flight, the one window the README states.
 */
export function mailedAfterLeaving(sends: readonly Send[], left: ReadonlyMap<string, Left>) {
  let after = 0;
  let during = 0;
  for (const s of sends) {
    const w = left.get(s.to);
    if (!w || s.accepted <= w.start) continue;
    if (s.start < w.start) during++;
    else after++;
  }
  return { after, during };
}

/**
 * Repeats of one email to one person. `beyondFaults`: repeats that no fault after SES accepted
 * that email for that person explains (must be 0). `acrossEdits`: of those, the ones whose
 * receipts straddle a content edit (`versionAt` gives the content version at a time).
 */
export function repeats(
  sends: readonly Send[],
  mayRepeat: (to: string, id: string) => number,
  versionAt: (t: number) => number,
) {
  const byPair = new Map<string, Send[]>();
  for (const s of sends) {
    const key = `${s.to} ${s.id}`;
    byPair.set(key, [...(byPair.get(key) ?? []), s]);
  }
  let duplicates = 0;
  let beyondFaults = 0;
  let acrossEdits = 0;
  let pairsAcrossEdits = 0;
  for (const list of byPair.values()) {
    if (list.length < 2) continue;
    const first = list[0] as Send;
    duplicates += list.length - 1;
    const unexplained = Math.max(0, list.length - 1 - mayRepeat(first.to, first.id));
    beyondFaults += unexplained;
    const versions = new Set(list.map((s) => versionAt(s.start)));
    if (versions.size > 1) {
      pairsAcrossEdits++;
      acrossEdits += unexplained;
    }
  }
  return { duplicates, beyondFaults, acrossEdits, pairsAcrossEdits };
}

/** A results table in the README's form: measure, this run, what it must be. */
export function table(rows: [string, string | number, string][]): string {
  const head: [string, string, string] = ["measure", "this run", "must be"];
  const all = [head, ...rows.map(([a, b, c]) => [a, String(b), c] as [string, string, string])];
  const width = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i] as number)).join(" | ")} |`;
  return [line(head), line(width.map((w) => "-".repeat(w))), ...all.slice(1).map(line)].join("\n");
}

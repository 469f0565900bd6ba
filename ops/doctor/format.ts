import type { Status } from "./finding";
import type { Report } from "./run";

const MARK: Record<Status, string> = { pass: "ok  ", warn: "warn", fail: "FAIL", skip: "wait" };

/** The report as a person reads it in a terminal: one line per check, the fix under it. */
export function formatReport(report: Report): string {
  const lines = [
    `Healthy Hips doctor: stage ${report.stage}, stack ${report.stackName}, account ${report.account}, ${report.region}`,
  ];
  const count: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const section of report.sections) {
    if (section.findings.length === 0) continue;
    lines.push("", section.name);
    for (const f of section.findings) {
      count[f.status] += 1;
      lines.push(`  ${MARK[f.status]}  ${f.title}`);
      for (const d of f.detail ?? []) lines.push(`          ${d}`);
      if (f.fix && f.status !== "pass") lines.push(`          → ${f.fix}`);
    }
  }
  lines.push(
    "",
    `${count.pass} ok, ${count.warn} to watch, ${count.fail} failed, ${count.skip} waiting for the deploy.`,
  );
  if (report.next) lines.push(`Next: ${report.next}`);
  return lines.join("\n");
}

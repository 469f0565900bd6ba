/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Report } from "../../funnel/report";

const W = 720;
const H = 180;
const PAD = { top: 12, right: 8, bottom: 24, left: 36 };

/** A round top for the y axis: 1, 2, 5 × 10^n at or above `max`. */
function niceMax(max: number): number {
  if (max <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? 10 * p;
}

/**
 * Signups (bars) and confirmations (line) per day, drawn on the server as SVG: no script, no
 * library, nothing from another origin. The numbers are also in the table below it.
 */
export const DailyChart = ({ daily, title }: { daily: Report["daily"]; title: string }) => {
  const top = niceMax(Math.max(0, ...daily.map((d) => Math.max(d.signups, d.confirmations))));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const step = iw / Math.max(1, daily.length);
  const y = (v: number) => PAD.top + ih - (v / top) * ih;
  const line = daily
    .map(
      (d, i) =>
        `${i ? "L" : "M"}${(PAD.left + step * (i + 0.5)).toFixed(1)},${y(d.confirmations).toFixed(1)}`,
    )
    .join(" ");
  const total = (k: "signups" | "confirmations") => daily.reduce((a, d) => a + d[k], 0);
  const label = `${title}: ${total("signups")} signups, ${total("confirmations")} confirmations`;
  const ticks = [0, top / 2, top];
  const first = daily[0]?.day ?? "";
  const last = daily.at(-1)?.day ?? "";
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <title>{label}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#e3ddd6" />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end" font-size="11" fill="#5c534b">
              {t}
            </text>
          </g>
        ))}
        {daily.map((d, i) =>
          d.signups > 0 ? (
            <rect
              key={d.day}
              x={(PAD.left + step * i + step * 0.15).toFixed(1)}
              y={y(d.signups).toFixed(1)}
              width={(step * 0.7).toFixed(1)}
              height={(PAD.top + ih - y(d.signups)).toFixed(1)}
              fill="#c9a48f"
            >
              <title>{`${d.day}: ${d.signups} signups, ${d.confirmations} confirmations`}</title>
            </rect>
          ) : null,
        )}
        <path d={line} fill="none" stroke="#7a3a22" stroke-width="2" />
        <text x={PAD.left} y={H - 6} font-size="11" fill="#5c534b">
          {first}
        </text>
        <text x={W - PAD.right} y={H - 6} font-size="11" fill="#5c534b" text-anchor="end">
          {last}
        </text>
      </svg>
      <figcaption>
        <span class="key bars">signups</span> <span class="key line">confirmations</span> · {label}
      </figcaption>
    </figure>
  );
};

/**
 * Wall-clock time in an IANA zone, through the runtime's own Intl time-zone data: what
 * schedule.ts needs (read a local date, set a local hour, step a calendar day) in 1 KiB,
 * where a date library costs 5-70 KiB in every Lambda bundle.
 */

/** A local date and time; fields may overflow (day 32) and are normalised like Date.UTC's. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** 0 = Monday ... 6 = Sunday (read only). */
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(tz, f);
  }
  return f;
}

/** The wall clock in `tz` at instant `ms`. */
export function wallClock(ms: number, tz: string): WallClock {
  const p: Record<string, string> = {};
  for (const { type, value } of format(tz).formatToParts(ms)) p[type] = value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    ms: ((ms % 1000) + 1000) % 1000,
    weekday: DAYS.indexOf(p.weekday ?? ""),
  };
}

const asUtc = (w: Omit<WallClock, "weekday">) =>
  Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.ms);

/** How far `tz` is ahead of UTC at instant `ms`, in ms. */
function offset(ms: number, tz: string): number {
  return asUtc(wallClock(ms, tz)) - ms;
}

/**
 * The instant a wall clock in `tz` shows `w` (overflowing fields normalised). A time skipped
 * by a clock change moves forward by the gap; a time that happens twice is the later one.
 */
export function instantOf(w: Omit<WallClock, "weekday">, tz: string): number {
  const local = asUtc(w);
  const before = offset(local - 86_400_000, tz);
  const after = offset(local + 86_400_000, tz);
  // Try both offsets around a change; keep the one whose wall clock matches, else the later.
  const candidates = [local - after, local - before].filter((t) => offset(t, tz) === local - t);
  return candidates[0] ?? local - before;
}

import { instantOf, wallClock } from "./zoned";

export const DAY_MS = 86_400_000;

export interface ScheduleOptions {
  /** Length of one sequence day in ms (a fast clock shortens it; 86 400 000 in production). */
  dayMs: number;
  /** Local hour to align sends to, in the subscriber's zone; only applied to real-length days. */
  sendHour?: number;
  /** Local weekdays sends may fall on (absent: every day); only applied to real-length days. */
  sendDays?: readonly Weekday[];
  timeZone: string;
}

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * When the email after `prevSentAt` is due: `delayDays` later, or, with a send hour, at that
 * hour on the local day `delayDays` later (never sooner than half the delay); with send days,
 * moved on to the next allowed weekday at the same local time. Local means the subscriber's
 * zone, so a clock change moves the instant, not the hour she reads it.
 * @example nextSendAt(Date.parse("2026-01-01T10:00Z"), 2, { dayMs: DAY_MS, timeZone: "UTC" })
 *   // -> Date.parse("2026-01-03T10:00Z")
 */
export function nextSendAt(prevSentAt: number, delayDays: number, opts: ScheduleOptions): number {
  const plain = prevSentAt + Math.round(delayDays * opts.dayMs);
  if (opts.dayMs !== DAY_MS) return plain;
  if (!isTimeZone(opts.timeZone)) return plain;
  const tz = opts.timeZone;
  let wall = wallClock(plain, tz);
  let at = plain;
  if (opts.sendHour !== undefined) {
    wall = { ...wall, hour: opts.sendHour, minute: 0, second: 0, ms: 0 };
    at = instantOf(wall, tz);
    const earliest = prevSentAt + (delayDays * opts.dayMs) / 2;
    // A calendar day later, not 24 h: across a clock change the send keeps its local hour.
    if (at < earliest) at = instantOf({ ...wall, day: wall.day + 1 }, tz);
  }
  const days = opts.sendDays?.length ? new Set(opts.sendDays) : undefined;
  if (days) {
    const { hour, minute } = wallClock(at, tz);
    for (let i = 0; i < 7; i++) {
      const now = wallClock(at, tz);
      if (days.has(WEEKDAYS[now.weekday] as Weekday)) break;
      at = instantOf({ ...now, day: now.day + 1, hour, minute }, tz);
    }
  }
  return at;
}

/** A valid IANA zone from the browser, or the course default. */
export function safeTimeZone(tz: string | undefined, fallback: string): string {
  if (!tz || tz.length > 64) return fallback;
  return isTimeZone(tz) ? tz : fallback;
}

const zones = new Map<string, boolean>();
let canonical: ReadonlySet<string> | undefined;

/**
 * Whether `tz` is an IANA zone this runtime knows (remembered: it is asked on every send).
 * The runtime's list of canonical zones answers most names: making the first
 * `Intl.DateTimeFormat` of a process loads the locale data (about 35 ms of CPU here), which a
 * signup, the only check on its path, need not pay. Any other name (an alias such as "UTC",
 * another spelling of a known zone, a typo) is asked of `Intl.DateTimeFormat` as before, so
 * what is accepted does not change.
 */
export function isTimeZone(tz: string): boolean {
  let known = zones.get(tz);
  if (known === undefined) {
    canonical ??= new Set(Intl.supportedValuesOf("timeZone"));
    known = canonical.has(tz) || formatsIn(tz);
    if (zones.size < 1000) zones.set(tz, known);
  }
  return known;
}

function formatsIn(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

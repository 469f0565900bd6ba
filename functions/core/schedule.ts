import { DateTime } from "luxon";
import type { Course } from "./content";

export const DAY_MS = 86_400_000;

/** What the sequence sends at `step`: 0 is the welcome email, 1..n the lessons in file order. */
export type StepEmail =
  | { kind: "welcome"; step: 0; id: string }
  | { kind: "lesson"; step: number; id: string; number: number; delayDays: number };

/** Number of emails in the sequence (welcome + lessons). */
export function sequenceLength(course: Course): number {
  return course.lessons.length + 1;
}

/** The email at `step`, or undefined past the end of the sequence. */
export function emailAt(course: Course, step: number): StepEmail | undefined {
  if (step === 0) return { kind: "welcome", step: 0, id: course.welcome.id };
  const lesson = course.lessons[step - 1];
  if (!lesson || step < 0 || !Number.isInteger(step)) return undefined;
  return { kind: "lesson", step, id: lesson.id, number: step, delayDays: lesson.delayDays };
}

export interface ScheduleOptions {
  /** Length of one sequence day in ms (a fast clock shortens it; 86 400 000 in production). */
  dayMs: number;
  /** Local hour to align sends to, in the subscriber's zone; only applied to real-length days. */
  sendHour?: number;
  timeZone: string;
}

/**
 * When the email after `prevSentAt` is due: `delayDays` later, or, with a send hour, at that
 * hour on the local day `delayDays` later (never sooner than half the delay).
 * @example nextSendAt(Date.parse("2026-01-01T10:00Z"), 2, { dayMs: DAY_MS, timeZone: "UTC" })
 *   // -> Date.parse("2026-01-03T10:00Z")
 */
export function nextSendAt(prevSentAt: number, delayDays: number, opts: ScheduleOptions): number {
  const plain = prevSentAt + Math.round(delayDays * opts.dayMs);
  if (opts.sendHour === undefined || opts.dayMs !== DAY_MS) return plain;
  const local = DateTime.fromMillis(plain, { zone: opts.timeZone });
  if (!local.isValid) return plain;
  const aligned = local.set({ hour: opts.sendHour, minute: 0, second: 0, millisecond: 0 });
  const earliest = prevSentAt + (delayDays * opts.dayMs) / 2;
  // A calendar day later, not 24 h: across a clock change the send keeps its local hour.
  return aligned.toMillis() >= earliest ? aligned.toMillis() : aligned.plus({ days: 1 }).toMillis();
}

/** A valid IANA zone from the browser, or the course default. */
export function safeTimeZone(tz: string | undefined, fallback: string): string {
  if (!tz || tz.length > 64) return fallback;
  return DateTime.local().setZone(tz).isValid ? tz : fallback;
}

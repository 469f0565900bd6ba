import { createHash } from "node:crypto";
import type { Course } from "./content";
import { nextSendAt, type ScheduleOptions } from "./schedule";
import type { Subscriber } from "./subscriber";

/**
 * Progress by email id, never by position: lessons get inserted, removed and reordered while
 * people are half-way through. Pure: no AWS SDK, `now` passed in.
 */

/** One email of a sequence: its id and its delay (days) after the previous email. */
export interface SequenceEntry {
  id: string;
  delayDays: number;
}

/** The order of one published version of a sequence, as kept in the table. */
export interface PublishedSequence {
  sequenceId: string;
  /** Content hash of `order`: the same order always has the same hash. */
  hash: string;
  order: SequenceEntry[];
  publishedAt: string;
}

/** A subscriber's place: the last email received and every email received. */
export interface Progress {
  lastId?: string;
  /** Ids received, or passed for good (a permanent refusal): never sent again. */
  received: string[];
  /** Hash of the published order `lastId` was sent under; finds a place whose lesson was removed. */
  from?: string;
  /** When the last email went out (epoch ms). */
  lastAt?: number;
}

/** The welcome email, then the lessons in file order. */
export function sequenceOrder(course: Course): SequenceEntry[] {
  return [
    { id: course.welcome.id, delayDays: 0 },
    ...course.lessons.map((l) => ({ id: l.id, delayDays: l.delayDays })),
  ];
}

/** Content hash of an order (ids and delays); the key a published version is stored under. */
export function orderHash(order: readonly SequenceEntry[]): string {
  const canonical = JSON.stringify(order.map((e) => [e.id, e.delayDays]));
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 22);
}

/** The published form of the course's current order. */
export function publication(course: Course, now: number): PublishedSequence {
  const order = sequenceOrder(course);
  return {
    sequenceId: course.funnel.sequence.id,
    hash: orderHash(order),
    order,
    publishedAt: new Date(now).toISOString(),
  };
}

type ProgressFields = Partial<
  Pick<Subscriber, "lastId" | "received" | "seq" | "lastAt" | "step" | "sends">
>;

/**
 * Reads a subscriber's place. Items written before progress by id carry a positional `step`
 * (the next email to send, 0 = welcome): step N of the original order means its first N
 * emails were received, the last of them being `order[N-1]`.
 * @param original the first published order of the subscriber's sequence (for `step` items)
 */
export function progressOf(sub: ProgressFields, original?: PublishedSequence): Progress {
  const lastSend = sub.sends?.at(-1)?.at;
  const lastAt = sub.lastAt ?? lastSend;
  const at = lastAt === undefined ? undefined : Date.parse(lastAt);
  if (sub.received) {
    return { lastId: sub.lastId, received: sub.received, from: sub.seq, lastAt: at };
  }
  const n = Math.max(0, Math.floor(sub.step ?? 0));
  if (n === 0 || !original) return { received: [], lastAt: at };
  const received = original.order.slice(0, n).map((e) => e.id);
  return { lastId: received.at(-1), received, from: original.hash, lastAt: at };
}

/**
 * The next email for someone at `progress`: the first email in the `current` order after
 * their last one that they have not received. When their last email was removed, its place is
 * found in `from` (the order it was sent under): just before the first later email that is
 * still there, else just after the nearest earlier one. Undefined: nothing left (completed).
 * @example nextInSequence([{id:"w",delayDays:0},{id:"b",delayDays:2}], undefined,
 *   { lastId: "w", received: ["w"] }) // -> { id: "b", delayDays: 2 }
 */
export function nextInSequence(
  current: readonly SequenceEntry[],
  from: readonly SequenceEntry[] | undefined,
  progress: Progress,
): SequenceEntry | undefined {
  const got = new Set(progress.received);
  const indexOf = (id: string) => current.findIndex((e) => e.id === id);
  const after = (i: number) => current.slice(i + 1).find((e) => !got.has(e.id));
  if (progress.lastId === undefined) return after(-1);
  const here = indexOf(progress.lastId);
  if (here >= 0) return after(here);

  const was = from?.findIndex((e) => e.id === progress.lastId) ?? -1;
  if (from && was >= 0) {
    for (const e of from.slice(was + 1)) {
      const i = indexOf(e.id);
      if (i >= 0) return after(i - 1);
    }
    for (const e of from.slice(0, was).reverse()) {
      const i = indexOf(e.id);
      if (i >= 0) return after(i);
    }
    return after(-1);
  }
  // No record of where the last email stood: continue after the furthest one received.
  let furthest = -1;
  current.forEach((e, i) => {
    if (got.has(e.id)) furthest = i;
  });
  return after(furthest);
}

/** What the send path does with a claimed job. */
export type SendDecision =
  | { kind: "send"; id: string }
  | { kind: "wait"; id: string; dueAt: number }
  | { kind: "complete" };

export interface DecideInput {
  current: PublishedSequence;
  /** The published order the subscriber's last email came from, if known. */
  from?: readonly SequenceEntry[];
  progress: Progress;
  /** The email id the claim was made for (absent for items written before ids). */
  claimed?: string;
  /** Hash of the order the subscriber's plan was made under. */
  plannedUnder?: string;
  now: number;
  schedule: ScheduleOptions;
}

/**
 * Decides a claimed job against the content as it is now. A plan made under the current order
 * for the email that is still next is sent. After an edit, the next email is worked out again
 * with its current delay: sent now if that time has come, else rescheduled without sending.
 */
export function decideSend(input: DecideInput): SendDecision {
  const next = nextInSequence(input.current.order, input.from, input.progress);
  if (!next) return { kind: "complete" };
  if (input.claimed === next.id && input.plannedUnder === input.current.hash) {
    return { kind: "send", id: next.id };
  }
  const { lastAt } = input.progress;
  const dueAt =
    lastAt === undefined ? input.now : nextSendAt(lastAt, next.delayDays, input.schedule);
  return dueAt <= input.now ? { kind: "send", id: next.id } : { kind: "wait", id: next.id, dueAt };
}

/**
 * The plan after `sent` went out at `sentAt`: the progress to store and the next email with
 * its due time, or undefined when nothing is left.
 */
export function afterSending(
  current: PublishedSequence,
  before: Progress,
  sent: string,
  sentAt: number,
  schedule: ScheduleOptions,
): { progress: Progress; next?: { id: string; dueAt: number } } {
  const progress: Progress = {
    lastId: sent,
    received: before.received.includes(sent) ? before.received : [...before.received, sent],
    from: current.hash,
    lastAt: sentAt,
  };
  const next = nextInSequence(current.order, current.order, progress);
  return {
    progress,
    next: next && { id: next.id, dueAt: nextSendAt(sentAt, next.delayDays, schedule) },
  };
}

/**
 * For someone who completed the sequence: the lesson appended since, due its delay after the
 * later of their last email and `now` (the moment it was published to them), or undefined.
 */
export function resumeAfterCompletion(
  current: PublishedSequence,
  from: readonly SequenceEntry[] | undefined,
  progress: Progress,
  now: number,
  schedule: ScheduleOptions,
): { id: string; dueAt: number } | undefined {
  const next = nextInSequence(current.order, from, progress);
  if (!next) return undefined;
  const base = Math.max(progress.lastAt ?? now, now);
  return { id: next.id, dueAt: nextSendAt(base, next.delayDays, schedule) };
}

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

/** What an edit changes in an order: lessons added, removed, moved, delays changed. */
export interface OrderChanges {
  added: { id: string; position: number }[];
  removed: string[];
  /** Emails whose place relative to the others changed (outside the longest kept run). */
  moved: { id: string; from: number; to: number }[];
  delays: { id: string; before: number; after: number }[];
}

/**
 * Compares a published order with a new one. Positions are 1-based (1 = the welcome email).
 * @example diffOrders(order("w a b"), order("w b a")).moved // [{ id: "a", from: 2, to: 3 }]
 */
export function diffOrders(
  before: readonly SequenceEntry[],
  after: readonly SequenceEntry[],
): OrderChanges {
  const was = new Map(before.map((e, i) => [e.id, { e, i }]));
  const now = new Map(after.map((e, i) => [e.id, { e, i }]));
  const oldCommon = before.filter((e) => now.has(e.id)).map((e) => e.id);
  const newCommon = after.filter((e) => was.has(e.id)).map((e) => e.id);
  // Longest common subsequence: the emails that kept their relative order.
  const n = oldCommon.length;
  const m = newCommon.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        oldCommon[i] === newCommon[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  const kept = new Set<string>();
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (oldCommon[i] === newCommon[j]) {
      kept.add(oldCommon[i] as string);
      i++;
      j++;
    } else if (((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))
      i++;
    else j++;
  }
  return {
    added: after.flatMap((e, i) => (was.has(e.id) ? [] : [{ id: e.id, position: i + 1 }])),
    removed: before.filter((e) => !now.has(e.id)).map((e) => e.id),
    moved: newCommon
      .filter((id) => !kept.has(id))
      .map((id) => ({ id, from: (was.get(id)?.i ?? 0) + 1, to: (now.get(id)?.i ?? 0) + 1 })),
    delays: after.flatMap((e) => {
      const old = was.get(e.id)?.e;
      return old && old.delayDays !== e.delayDays
        ? [{ id: e.id, before: old.delayDays, after: e.delayDays }]
        : [];
    }),
  };
}

/** Where one subscriber goes next under a draft order, and whether that differs from now. */
export interface Forecast {
  /** The next email, or undefined: nothing more (they complete, or stay completed). */
  id?: string;
  at?: number;
  changed: boolean;
}

/**
 * What the send path will do for `sub` once `draft` is live: the same rules as
 * {@link decideSend} (an active subscriber is looked at when their current plan falls due) and
 * {@link resumeAfterCompletion} (completed ones, when lessons are appended).
 */
export function forecast(
  sub: Pick<Subscriber, "status" | "nextId" | "dueAt" | "planned"> &
    Parameters<typeof progressOf>[0],
  draft: PublishedSequence,
  find: (hash: string | undefined) => PublishedSequence | undefined,
  original: PublishedSequence | undefined,
  now: number,
  schedule: ScheduleOptions,
  resumeCompleted: boolean,
): Forecast {
  const progress = progressOf(sub, original);
  const from = find(progress.from)?.order;
  if (sub.status === "completed") {
    const next = resumeCompleted
      ? resumeAfterCompletion(draft, from, progress, now, schedule)
      : undefined;
    return next ? { id: next.id, at: next.dueAt, changed: true } : { changed: false };
  }
  const planned = sub.dueAt === undefined ? now : Date.parse(sub.dueAt);
  const next = nextInSequence(draft.order, from, progress);
  if (!next) return { changed: sub.nextId !== undefined };
  if (next.id === sub.nextId && sub.planned === draft.hash) {
    return { id: next.id, at: planned, changed: false };
  }
  const due =
    progress.lastAt === undefined ? planned : nextSendAt(progress.lastAt, next.delayDays, schedule);
  const at = Math.max(due, planned);
  return { id: next.id, at, changed: next.id !== sub.nextId || at !== planned };
}

import type { Store } from "../adapters/store";
import type { Course } from "../core/content";
import type { Logger } from "../core/ports";
import type { ScheduleOptions } from "../core/schedule";
import {
  nextInSequence,
  type PublishedSequence,
  progressOf,
  publication,
  resumeAfterCompletion,
} from "../core/sequence";
import type { Subscriber } from "../core/subscriber";
import { DUE_SHARDS, onNewLessons, parkedShard } from "../core/transitions";

/** The published orders a sender needs: the current one, and older ones to find a place in. */
export interface Sequences {
  current: PublishedSequence;
  /** The first order ever published: how positional `step` items are read. */
  original?: PublishedSequence;
  /** A published order by its hash; undefined when unknown (then the received set decides). */
  find(hash: string | undefined): PublishedSequence | undefined;
}

/** The schedule a subscriber's sends follow. */
export function scheduleFor(
  deps: { course: Course; dayMs: number },
  sub: Pick<Subscriber, "timeZone">,
): ScheduleOptions {
  return {
    dayMs: deps.dayMs,
    sendHour: deps.course.funnel.sequence.sendHour,
    sendDays: deps.course.funnel.sequence.sendDays,
    timeZone: sub.timeZone,
  };
}

/** The email next for `sub` under the current order, with that order's hash; none: completed. */
export function nextFor(
  sequences: Sequences,
  sub: Subscriber,
): { id: string; planned: string } | undefined {
  const progress = progressOf(sub, sequences.original);
  const next = nextInSequence(
    sequences.current.order,
    sequences.find(progress.from)?.order,
    progress,
  );
  return next && { id: next.id, planned: sequences.current.hash };
}

/** Wraps loaded orders for lookups by hash. */
export function sequencesOf(current: PublishedSequence, all: PublishedSequence[]): Sequences {
  const byHash = new Map(all.map((p) => [p.hash, p]));
  byHash.set(current.hash, byHash.get(current.hash) ?? current);
  return {
    current: byHash.get(current.hash) ?? current,
    original: all[0] ?? current,
    find: (hash) => (hash === undefined ? undefined : byHash.get(hash)),
  };
}

export interface PublishDeps {
  course: Course;
  store: Store;
  logger: Logger;
  dayMs: number;
}

/**
 * Publishes the course's current order (idempotent: a conditional put keyed by the order's
 * content hash) and loads every published order. With `resume`, completed subscribers are
 * offered lessons appended since they finished, once per published order (unless
 * `sequence.sendNewLessonsToCompleted` is false).
 */
export async function openSequences(
  deps: PublishDeps,
  now: number,
  opts: { resume: boolean },
): Promise<Sequences> {
  const mine = publication(deps.course, now);
  // Read first: every cold start after the first of a version finds its order published, and
  // so costs one read rather than a refused put and a read.
  let all = await deps.store.publishedSequences(mine.sequenceId);
  let created = false;
  if (!all.some((p) => p.hash === mine.hash)) {
    created = await deps.store.publishSequence(mine);
    all = await deps.store.publishedSequences(mine.sequenceId);
  }
  const sequences = sequencesOf(mine, all);
  if (created)
    deps.logger.info("sequence published", { hash: mine.hash, emails: mine.order.length });
  const current = all.find((p) => p.hash === mine.hash);
  if (opts.resume && deps.course.funnel.sequence.sendNewLessonsToCompleted && !current?.resumedAt) {
    // Sending must not wait on this: a failure is logged and the next start tries again.
    try {
      const { resumed, failed } = await resumeCompleted(deps, sequences, now);
      if (resumed) deps.logger.info("completed subscribers get new lessons", { resumed });
      // Marked done only when everyone was offered them: the next start tries the rest
      // (those already resumed are active by then, so nobody is offered them twice).
      if (failed) {
        deps.logger.error("some completed subscribers were not offered the new lessons", {
          failed,
        });
      } else {
        await deps.store.markResumed(mine.sequenceId, mine.hash, new Date(now).toISOString());
      }
    } catch (e) {
      deps.logger.error("offering new lessons to completed subscribers failed", {
        error: (e as Error).name,
      });
    }
  }
  return sequences;
}

/** Completed subscribers offered new lessons at once: a page in a few rounds of this many. */
const RESUME_AT_ONCE = 25;

/**
 * Finds completed subscribers (parked shards of the due index: a Query per shard, no Scan)
 * that have a lesson after their last one under the current order, and makes them active.
 * One subscriber's failed read or write does not stop the others: it is counted in `failed`.
 */
async function resumeCompleted(deps: PublishDeps, sequences: Sequences, now: number) {
  let resumed = 0;
  let failed = 0;
  const resumeOne = async (sid: string) => {
    const sub = await deps.store.get(sid);
    if (sub?.status !== "completed") return false;
    const progress = progressOf(sub, sequences.original);
    const next = resumeAfterCompletion(
      sequences.current,
      sequences.find(progress.from)?.order,
      progress,
      now,
      scheduleFor(deps, sub),
    );
    if (!next) return false;
    const decision = onNewLessons(sub, next, sequences.current.hash);
    if (decision.kind !== "update") return false;
    const updatedAt = new Date(now).toISOString();
    // On a lost race (they unsubscribed meanwhile) the write is refused; nothing to redo.
    return deps.store.update(sub.sid, sub.version, { ...decision.set, updatedAt }, decision.remove);
  };
  for (let shard = 0; shard < DUE_SHARDS; shard++) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.queryShard(parkedShard(shard), 100, cursor);
      const sids = page.entries.filter((e) => e.status === "completed").map((e) => e.sid);
      for (let i = 0; i < sids.length; i += RESUME_AT_ONCE) {
        const results = await Promise.allSettled(sids.slice(i, i + RESUME_AT_ONCE).map(resumeOne));
        for (const r of results) {
          if (r.status === "rejected") failed++;
          else if (r.value) resumed++;
        }
      }
      cursor = page.cursor;
    } while (cursor);
  }
  return { resumed, failed };
}

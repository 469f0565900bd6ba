import { randomBytes } from "node:crypto";
import { classifySendError, type Mailer } from "../adapters/mailer";
import type { DueEntry, Store } from "../adapters/store";
import type { Course } from "../core/content";
import type { Clock, JobQueue, Logger, StepJob } from "../core/ports";
import { afterSending, decideSend, progressOf } from "../core/sequence";
import { afterSend, DUE_SHARDS, replan } from "../core/transitions";
import type { Composer } from "../mail/compose";
import { type Sequences, scheduleFor } from "./sequences";
import { countEmail, countTransition, day } from "./stats";

export interface DripDeps {
  course: Course;
  store: Store;
  mailer: Mailer;
  composer: Composer;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /** Length of a sequence day in ms (shortened by a fast clock). */
  dayMs: number;
  /** How long a claim holds before the work falls due again. */
  leaseMs: number;
  /** The published orders: the current one and those earlier places were recorded under. */
  sequences: Sequences;
}

/** A send that should be retried later (throttling, timeouts); the queue backs off. */
export class RetryableSendError extends Error {
  override name = "RetryableSendError";
}

const newLease = () => randomBytes(12).toString("base64url");
const iso = (ms: number) => new Date(ms).toISOString();

/** Claims one due entry; returns the job to enqueue, or undefined if someone else moved it. */
export async function claim(
  deps: Pick<DripDeps, "store" | "leaseMs">,
  entry: DueEntry,
  now: number,
) {
  const lease = newLease();
  const claimed = await deps.store.claim(entry, lease, iso(now + deps.leaseMs));
  if (!claimed) return undefined;
  // The claimed item names the email the work is for; items from before ids carry none.
  return {
    kind: "step",
    sid: entry.sid,
    lease,
    ...(claimed.nextId ? { email: claimed.nextId } : {}),
  } satisfies StepJob;
}

/**
 * One scheduler tick: query every shard of the due index for `dueAt <= now`, claim each entry
 * and enqueue the claims. Cost follows the number due, never the list size. A failed claim
 * does not stop the others; its entry is still due (or its lease runs out) at the next tick.
 */
export async function dispatch(
  deps: Pick<DripDeps, "store" | "queue" | "leaseMs" | "logger"> & { paused?: boolean },
  now: number,
) {
  // The owner paused the whole sequence: nobody is claimed; everyone keeps their place.
  if (deps.paused) return { claimed: 0, failed: 0 };
  let claimed = 0;
  let failed = 0;
  for (let shard = 0; shard < DUE_SHARDS; shard++) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await deps.store
        .queryDue(String(shard), iso(now), 100, cursor)
        .catch(() => undefined);
      if (!page) {
        failed++;
        break;
      }
      const results = await Promise.allSettled(page.entries.map((e) => claim(deps, e, now)));
      const jobs: StepJob[] = [];
      for (const r of results) {
        if (r.status === "rejected") failed++;
        else if (r.value) jobs.push(r.value);
      }
      if (jobs.length) await deps.queue.enqueue(jobs);
      claimed += jobs.length;
      cursor = page.cursor;
    } while (cursor);
  }
  if (failed)
    deps.logger.warn("some due work was not claimed; it is picked up next tick", { failed });
  return { claimed, failed };
}

/** Claims one subscriber right away (the welcome email must not wait for the next tick). */
export async function kick(
  deps: Pick<DripDeps, "store" | "queue" | "leaseMs"> & { course?: Course },
  sid: string,
  now: number,
) {
  if (deps.course?.funnel.sequence.paused) return false;
  const sub = await deps.store.get(sid);
  if (sub?.status !== "active" || !sub.dueAt || Date.parse(sub.dueAt) > now) return false;
  const job = await claim(deps, { sid, dueAt: sub.dueAt }, now);
  if (job) await deps.queue.enqueue([job]);
  return job !== undefined;
}

export type SendOutcome = "sent" | "skipped" | "failed";

/**
 * Sends one claimed job: decide against the content as it is now, render, send through SES,
 * then advance on condition that the lease is still ours. After a content edit the email the
 * job was claimed for may no longer be next or due: then the new plan is written instead and
 * nothing is sent. Throttling and transient errors throw {@link RetryableSendError}; permanent
 * rejects are recorded on the subscriber and the sequence moves past that email.
 */
export async function sendJob(deps: DripDeps, job: StepJob): Promise<SendOutcome> {
  // Paused while the job waited: send nothing; the claim runs out and falls due on resume.
  if (deps.course.funnel.sequence.paused) return "skipped";
  const sub = await deps.store.get(job.sid);
  if (sub?.status !== "active" || sub.lease !== job.lease) return "skipped";
  const now = deps.clock.now();
  const { current } = deps.sequences;
  const progress = progressOf(sub, deps.sequences.original);
  const schedule = scheduleFor(deps, sub);
  const decision = decideSend({
    current,
    from: deps.sequences.find(progress.from)?.order,
    progress,
    claimed: job.email,
    plannedUnder: sub.planned,
    now,
    schedule,
  });
  if (decision.kind !== "send") {
    const next = decision.kind === "wait" ? decision : undefined;
    const plan = replan(job.sid, next, current.hash, now);
    await deps.store.replan(job.sid, job.lease, plan.set, plan.remove);
    deps.logger.info(next ? "rescheduled after a content edit" : "completed by a content edit", {
      ...(next ? { next: next.id } : {}),
    });
    return "skipped";
  }
  const id = decision.id;
  const planAfter = (at: number) => {
    const after = afterSending(current, progress, id, at, schedule);
    return afterSend(job.sid, after.progress, after.next, current.hash);
  };

  const email = await deps.composer.email(sub, id, now);
  let messageId: string;
  try {
    messageId = await deps.mailer.send(email);
  } catch (error) {
    const kind = classifySendError(error);
    if (kind !== "permanent") {
      throw new RetryableSendError(`send ${kind}: ${(error as Error)?.name ?? "error"}`, {
        cause: error,
      });
    }
    const failure = { id, at: iso(now), reason: String((error as Error)?.name ?? "rejected") };
    const next = planAfter(now);
    const skipped = await deps.store.skip(job.sid, job.lease, failure, next.set, next.remove);
    await Promise.all([
      countEmail(deps.store, id, { rejects: 1 }),
      deps.store.count(day(now), { rejects: 1 }),
      skipped && countTransition(deps.store, sub, { ...sub, ...next.set }, now),
    ]);
    deps.logger.warn("send rejected permanently", { email: id, reason: failure.reason });
    return "failed";
  }
  const sentAt = deps.clock.now();
  const record = { id, at: iso(sentAt), messageId };
  const next = planAfter(sentAt);
  const advanced = await deps.store.advance(job.sid, job.lease, record, next.set, next.remove);
  // SES accepted it: it counts as sent even if the advance lost its lease.
  await Promise.all([
    countEmail(deps.store, id, { sent: 1 }),
    deps.store.count(day(sentAt), { sent: 1 }),
    advanced && countTransition(deps.store, sub, { ...sub, ...next.set }, sentAt),
  ]);
  if (!advanced) deps.logger.warn("advance lost its lease after send", { email: id });
  deps.logger.info("sent", { message: id });
  return "sent";
}

import { randomBytes } from "node:crypto";
import type { DueEntry, Store } from "../adapters/store";
import type { Course } from "../core/content";
import type { Clock, JobQueue, Logger, StepJob } from "../core/ports";
import { afterSending, decideSend, progressOf } from "../core/sequence";
import type { Subscriber } from "../core/subscriber";
import { afterSend, DUE_SHARDS, replan } from "../core/transitions";
import type { Composer } from "../mail/compose";
import type { Sender } from "./pace";
import { type Sequences, scheduleFor } from "./sequences";
import { countEmail, countTransition, day } from "./stats";

export interface DripDeps {
  course: Course;
  store: Store;
  /** Paced, halted while SES refuses the account; every email leaves through it. */
  mailer: Sender;
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

export { RetryableSendError } from "./errors";

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

/** What one dispatch needs; `budget` says how many claims the senders can take on now. */
export type DispatchDeps = Pick<DripDeps, "store" | "queue" | "leaseMs" | "logger"> & {
  paused?: boolean;
  budget?: () => Promise<number>;
};

/**
 * One scheduler tick: query every shard of the due index for `dueAt <= now` (shards at once,
 * claims of a page at once), claim entries up to the budget and enqueue the claims. Cost
 * follows the number due, never the list size. What is over budget stays due for a later
 * tick. A failed claim does not stop the others; its entry is still due (or its lease runs
 * out) at the next tick. The budget is asked once, when the first due entry is found: a tick
 * with nothing due (most of them) makes no request but the due-index queries.
 */
export async function dispatch(deps: DispatchDeps, now: number) {
  // The owner paused the whole sequence: nobody is claimed; everyone keeps their place.
  if (deps.paused) return { claimed: 0, failed: 0, deferred: false };
  let failed = 0;
  let claimed = 0;
  let remaining = Number.POSITIVE_INFINITY;
  let asked: Promise<boolean> | undefined;
  const budgetKnown = () => {
    asked ??= deps.budget
      ? deps.budget().then(
          (budget) => {
            remaining = budget;
            return true;
          },
          () => false,
        )
      : Promise.resolve(true);
    return asked;
  };
  let noBudget = false;
  let deferred = false;
  const shard = async (n: number) => {
    let cursor: Record<string, unknown> | undefined;
    do {
      if (remaining <= 0) {
        deferred = true;
        return;
      }
      const limit = Math.min(100, remaining);
      const page = await deps.store
        .queryDue(String(n), iso(now), limit, cursor)
        .catch(() => undefined);
      if (!page) {
        failed++;
        return;
      }
      if (page.entries.length && !(await budgetKnown())) {
        noBudget = true;
        return;
      }
      const entries = page.entries.slice(0, Math.max(0, remaining));
      remaining -= entries.length;
      if (entries.length < page.entries.length) deferred = true;
      const results = await Promise.allSettled(entries.map((e) => claim(deps, e, now)));
      const jobs: StepJob[] = [];
      for (const r of results) {
        if (r.status === "rejected") failed++;
        else if (r.value) jobs.push(r.value);
      }
      if (jobs.length) {
        const queued = await deps.queue.enqueue(jobs).then(
          () => true,
          () => false,
        );
        if (queued) claimed += jobs.length;
        else failed += jobs.length;
      }
      cursor = page.cursor;
    } while (cursor);
  };
  await Promise.all(Array.from({ length: DUE_SHARDS }, (_, n) => shard(n)));
  // Without knowing the backlog, claim nothing rather than risk leases running out.
  if (noBudget) return { claimed: 0, failed: 1, deferred: true };
  if (failed)
    deps.logger.warn("some due work was not claimed; it is picked up next tick", { failed });
  if (deferred) deps.logger.info("dispatch held back at the senders' budget; the rest stays due");
  return { claimed, failed, deferred };
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
 * The look before sending: the subscriber is still active, the lease is still the job's, and
 * it holds long enough for the SES call (a tenth of a lease), so no other claim can send the
 * same email meanwhile.
 */
export function stillOurs(
  sub: Subscriber | undefined,
  job: StepJob,
  now: number,
  leaseMs: number,
): sub is Subscriber {
  if (sub?.status !== "active" || sub.lease !== job.lease) return false;
  return sub.dueAt !== undefined && Date.parse(sub.dueAt) - now >= leaseMs / 10;
}

/**
 * Sends one claimed job. After pacing and right before SES, one consistent read checks
 * {@link stillOurs} and decides against the content as it is now; otherwise nothing is sent.
 * After a content edit the email the job was claimed for may no longer be next or due: then
 * the new plan is written instead. After SES accepted, advance on condition that the lease is
 * still ours. A recipient-level refusal is recorded and the sequence moves past that email;
 * throttling, transient errors and account-level refusals throw (see ./errors.ts) and change
 * nothing: the work stays claimed, then due.
 */
export async function sendJob(deps: DripDeps, job: StepJob): Promise<SendOutcome> {
  // Paused while the job waited: send nothing; the claim runs out and falls due on resume.
  if (deps.course.funnel.sequence.paused) return "skipped";
  const { current } = deps.sequences;
  let edited: { sub: Subscriber; next?: { id: string; dueAt: number }; now: number } | undefined;
  const out = await deps.mailer.deliver(
    async () => {
      const sub = await deps.store.get(job.sid);
      const now = deps.clock.now();
      if (!stillOurs(sub, job, now, deps.leaseMs)) return undefined;
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
        edited = { sub, next: decision.kind === "wait" ? decision : undefined, now };
        return undefined;
      }
      return { sub, id: decision.id, progress, schedule, now };
    },
    (t) => deps.composer.email(t.sub, t.id, t.now),
  );
  if (out.kind === "skipped") {
    if (edited) {
      const plan = replan(job.sid, edited.next, current.hash, edited.now);
      await deps.store.replan(job.sid, job.lease, plan.set, plan.remove);
      deps.logger.info(
        edited.next ? "rescheduled after a content edit" : "completed by a content edit",
        edited.next ? { next: edited.next.id } : {},
      );
    }
    return "skipped";
  }
  const { sub, id, progress, schedule } = out.target;
  const planAfter = (at: number) => {
    const after = afterSending(current, progress, id, at, schedule);
    return afterSend(job.sid, after.progress, after.next, current.hash);
  };

  if (out.kind === "refused") {
    const now = deps.clock.now();
    const failure = { id, at: iso(now), reason: out.reason };
    const next = planAfter(now);
    const skipped = await deps.store.skip(job.sid, job.lease, failure, next.set, next.remove);
    await Promise.all([
      countEmail(deps.store, id, { rejects: 1 }),
      deps.store.count(day(now), { rejects: 1 }),
      skipped && countTransition(deps.store, sub, { ...sub, ...next.set }, now),
    ]);
    deps.logger.warn("recipient refused; moving past this email", {
      email: id,
      reason: out.reason,
    });
    return "failed";
  }
  const sentAt = deps.clock.now();
  const record = { id, at: iso(sentAt), messageId: out.messageId };
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

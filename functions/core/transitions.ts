import { DAY_MS } from "./schedule";
import type { Progress } from "./sequence";
import type { Consent, Status, Subscriber } from "./subscriber";
import { dueShard } from "./tokens";

export const MINUTE_MS = 60_000;
/** Unconfirmed signups are neither kept nor mailed after this. */
export const PENDING_TTL_MS = 7 * DAY_MS;
/** Later signups and confirmations kept as evidence, beyond the first signup (latest kept). */
export const EVIDENCE_KEPT = 5;
export const DUE_SHARDS = 8;
/**
 * Completed subscribers stay in the due index under `done-<n>` shards (dueAt = when they
 * completed), which the scheduler never queries: a newly published order with lessons after
 * their last one finds them with a Query, never a Scan.
 */
export const parkedShard = (shard: string | number) => `done-${shard}`;

type Attr = keyof Subscriber;

/** What a rule decided; the store applies it as one conditional write on `version`. */
export type Decision =
  | { kind: "create"; item: Subscriber; sendConfirm: true }
  | {
      kind: "update";
      set: Partial<Subscriber>;
      remove: Attr[];
      sendConfirm?: boolean;
      kick?: boolean;
    }
  /** `sendConfirm`: queue a confirmation job anyway (its worker decides what, if anything, goes). */
  | { kind: "noop"; reason: string; sendConfirm?: boolean }
  | { kind: "refuse"; reason: "unknown" | "expired" | "ended" };

const ENDED: Status[] = ["unsubscribed", "bounced", "complained"];
const DUE_ATTRS: Attr[] = ["dueAt", "dueShard", "lease", "nextId", "planned"];
const iso = (ms: number) => new Date(ms).toISOString();

/** Whether a pending signup has outlived its confirmation window. */
export function isExpired(sub: Subscriber, now: number): boolean {
  return sub.status === "pending" && sub.expiresAt !== undefined && sub.expiresAt * 1000 <= now;
}

/** Whether someone who left has signed up again and may confirm (the window is open). */
export function isRejoining(sub: Subscriber, now: number): boolean {
  return (
    sub.status === "unsubscribed" &&
    sub.rejoinUntil !== undefined &&
    Date.parse(sub.rejoinUntil) > now
  );
}

/** Whether a confirmation email may be sent to this subscriber now. */
export function awaitsConfirmation(sub: Subscriber, now: number): boolean {
  return (sub.status === "pending" && !isExpired(sub, now)) || isRejoining(sub, now);
}

/**
 * Whether someone already subscribed may be sent their masterclass and guide links again (the
 * answer to a signup while subscribed): not within a day of confirming, since the welcome email
 * that carries those links has just gone out. A confirmation job that waited in the queue while
 * the person confirmed from an earlier email would otherwise repeat the welcome.
 */
export function mayRemind(sub: Subscriber, now: number, gapMs: number): boolean {
  if (sub.status !== "active" && sub.status !== "completed") return false;
  return sub.confirmedAt === undefined || now - Date.parse(sub.confirmedAt) >= gapMs;
}

const appendEvidence = (list: Consent[] | undefined, entry: Consent) =>
  [...(list ?? []), entry].slice(-EVIDENCE_KEPT);
const evidenceOf = (current: Subscriber, evidence: Consent | undefined) =>
  evidence ? { confirmations: appendEvidence(current.confirmations, evidence) } : {};

export interface SignupInput {
  sid: string;
  email: string;
  firstName: string;
  timeZone: string;
  consent: Consent;
  sequenceId: string;
  /** The new record's generation (random, chosen by the caller), carried by all its links. */
  generation: number;
}

/**
 * A signup form post. New address: pending (the caller queues a confirmation). Pending: the
 * evidence is appended and a confirmation queued again (the mailbox throttle decides whether
 * it goes). Active or completed: nothing changes; a reminder with their links is queued (at
 * most one a day goes). Unsubscribed: stays unsubscribed, with the record of it, until they
 * confirm again. Bounced or complained: nothing is sent. Evidence is appended, never replaced.
 */
export function onSignup(
  current: Subscriber | undefined,
  input: SignupInput,
  now: number,
): Decision {
  const expiresAt = Math.floor((now + PENDING_TTL_MS) / 1000);
  if (!current) {
    const at = iso(now);
    // Field by field, not `{ ...input, status, … }`: Node 20's V8 gives an object spread and
    // then added properties a hidden class of its own every time (14 µs a signup, and every
    // item a new shape for the marshaller that writes it).
    const item: Subscriber = {
      sid: input.sid,
      email: input.email,
      firstName: input.firstName,
      timeZone: input.timeZone,
      consent: input.consent,
      sequenceId: input.sequenceId,
      generation: input.generation,
      status: "pending",
      version: 1,
      createdAt: at,
      updatedAt: at,
      received: [],
      sends: [],
      expiresAt,
    };
    return { kind: "create", item, sendConfirm: true };
  }
  if (current.status === "active" || current.status === "completed") {
    return { kind: "noop", reason: "already subscribed", sendConfirm: true };
  }
  if (current.status === "bounced" || current.status === "complained") {
    return { kind: "noop", reason: `address ${current.status}` };
  }
  const signups = appendEvidence(current.signups, input.consent);
  if (current.status === "unsubscribed") {
    // No TTL here: the record that they unsubscribed must outlive an unconfirmed signup.
    return {
      kind: "update",
      set: { signups, timeZone: input.timeZone, rejoinUntil: iso(now + PENDING_TTL_MS) },
      remove: [],
      sendConfirm: true,
    };
  }
  return {
    kind: "update",
    set: {
      signups,
      firstName: input.firstName || current.firstName,
      timeZone: input.timeZone,
      expiresAt,
    },
    remove: [],
    sendConfirm: true,
  };
}

/**
 * The confirm page's POST. Starts (or resumes, for someone who had left and signed up again:
 * progress never resets) the sequence now with `next`, the email next for this subscriber
 * under the current order (the welcome email for a new one); with nothing left, they are
 * completed. Records the confirmation's evidence.
 */
export function onConfirm(
  current: Subscriber | undefined,
  now: number,
  next: { id: string; planned: string } | undefined,
  evidence?: Consent,
): Decision {
  if (!current) return { kind: "refuse", reason: "unknown" };
  if (current.status === "active" || current.status === "completed") {
    return { kind: "noop", reason: "already confirmed" };
  }
  const rejoining = isRejoining(current, now);
  if (ENDED.includes(current.status) && !rejoining) return { kind: "refuse", reason: "ended" };
  if (isExpired(current, now)) return { kind: "refuse", reason: "expired" };
  if (!next) {
    return {
      kind: "update",
      set: {
        status: "completed",
        confirmedAt: iso(now),
        ...parked(current.sid, now),
        ...evidenceOf(current, evidence),
      },
      remove: ["expiresAt", "rejoinUntil", "lease", "nextId", "planned"],
    };
  }
  return {
    kind: "update",
    set: {
      status: "active",
      confirmedAt: iso(now),
      nextId: next.id,
      planned: next.planned,
      dueAt: iso(now),
      dueShard: dueShard(current.sid, DUE_SHARDS),
      ...evidenceOf(current, evidence),
    },
    remove: ["expiresAt", "rejoinUntil", "lease"],
    kick: true,
  };
}

/** Unsubscribe (page button, one-click POST or manage page): no further sends, ever. */
export function onUnsubscribe(current: Subscriber | undefined, now: number): Decision {
  if (!current) return { kind: "noop", reason: "unknown" };
  if (ENDED.includes(current.status)) return { kind: "noop", reason: `already ${current.status}` };
  return {
    kind: "update",
    set: { status: "unsubscribed", endedAt: iso(now) },
    remove: ["expiresAt", ...DUE_ATTRS],
  };
}

/** SES feedback: a permanent bounce or a complaint ends all sending. Repeats change nothing. */
export function onFeedback(
  current: Subscriber | undefined,
  kind: "bounced" | "complained",
  now: number,
): Decision {
  if (!current) return { kind: "noop", reason: "unknown" };
  if (current.status === kind || (current.status === "complained" && kind === "bounced")) {
    return { kind: "noop", reason: `already ${current.status}` };
  }
  return {
    kind: "update",
    set: { status: kind, endedAt: iso(now) },
    remove: ["expiresAt", ...DUE_ATTRS],
  };
}

/** Where a completed subscriber waits for lessons appended later. */
function parked(sid: string, at: number): Partial<Subscriber> {
  return { dueShard: parkedShard(dueShard(sid, DUE_SHARDS)), dueAt: iso(at) };
}

/** The subscriber's progress as stored attributes (the positional `step` is gone for good). */
function progressAttrs(p: Progress): Partial<Subscriber> {
  return {
    lastId: p.lastId,
    received: p.received,
    seq: p.from,
    lastAt: p.lastAt === undefined ? undefined : iso(p.lastAt),
  };
}

/**
 * After an email went out (or was refused for good): record the new place and plan `next`
 * under the order `planned`, or complete (parked for lessons appended later).
 */
export function afterSend(
  sid: string,
  progress: Progress,
  next: { id: string; dueAt: number } | undefined,
  planned: string,
): { set: Partial<Subscriber>; remove: Attr[] } {
  if (!next) {
    return {
      set: {
        ...progressAttrs(progress),
        status: "completed",
        ...parked(sid, progress.lastAt ?? 0),
      },
      remove: ["lease", "nextId", "planned", "step"],
    };
  }
  return {
    set: { ...progressAttrs(progress), nextId: next.id, planned, dueAt: iso(next.dueAt) },
    remove: ["lease", "step"],
  };
}

/**
 * A claimed job whose email is not due under the current order (an edit moved or delayed it):
 * plan `next` without sending, or complete when the edit left nothing for them.
 */
export function replan(
  sid: string,
  next: { id: string; dueAt: number } | undefined,
  planned: string,
  now: number,
): { set: Partial<Subscriber>; remove: Attr[] } {
  if (!next) {
    return {
      set: { status: "completed", ...parked(sid, now) },
      remove: ["lease", "nextId", "planned"],
    };
  }
  return { set: { nextId: next.id, planned, dueAt: iso(next.dueAt) }, remove: ["lease"] };
}

/** Lessons were appended after a completed subscriber's last one: active again, `next` due. */
export function onNewLessons(
  current: Subscriber,
  next: { id: string; dueAt: number },
  planned: string,
): Decision {
  if (current.status !== "completed") return { kind: "noop", reason: `not completed` };
  return {
    kind: "update",
    set: {
      status: "active",
      nextId: next.id,
      planned,
      dueAt: iso(next.dueAt),
      dueShard: dueShard(current.sid, DUE_SHARDS),
    },
    remove: ["lease"],
  };
}

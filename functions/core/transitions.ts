import { DAY_MS } from "./schedule";
import type { Progress } from "./sequence";
import type { Consent, Status, Subscriber } from "./subscriber";
import { dueShard } from "./tokens";

export const MINUTE_MS = 60_000;
/** Unconfirmed signups are neither kept nor mailed after this. */
export const PENDING_TTL_MS = 7 * DAY_MS;
/** At most one confirmation email per address per this gap… */
export const CONFIRM_GAP_MS = 10 * MINUTE_MS;
/** …and at most this many per 24 hours, however many signups arrive. */
export const CONFIRM_MAX_PER_DAY = 3;
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
  | { kind: "noop"; reason: string }
  | { kind: "refuse"; reason: "unknown" | "expired" | "ended" };

const ENDED: Status[] = ["unsubscribed", "bounced", "complained"];
const DUE_ATTRS: Attr[] = ["dueAt", "dueShard", "lease", "nextId", "planned"];
const iso = (ms: number) => new Date(ms).toISOString();

/** Whether a pending signup has outlived its confirmation window. */
export function isExpired(sub: Subscriber, now: number): boolean {
  return sub.status === "pending" && sub.expiresAt !== undefined && sub.expiresAt * 1000 <= now;
}

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

/** Counters after sending one more confirmation, or undefined when the limits say no. */
function confirmBudget(sub: Subscriber, now: number) {
  if (sub.confirmLastAt && now - Date.parse(sub.confirmLastAt) < CONFIRM_GAP_MS) return undefined;
  const fresh = !(now - Date.parse(sub.confirmWindowStart) < DAY_MS);
  if (!fresh && sub.confirmCount >= CONFIRM_MAX_PER_DAY) return undefined;
  return {
    confirmCount: fresh ? 1 : sub.confirmCount + 1,
    confirmWindowStart: fresh ? iso(now) : sub.confirmWindowStart,
    confirmLastAt: iso(now),
  };
}

/**
 * A signup form post. New address: pending + confirmation. Pending: re-send the confirmation
 * within the rate limits. Active or completed: nothing changes. Unsubscribed: needs a fresh
 * confirmation. Bounced or complained: nothing is sent.
 */
export function onSignup(
  current: Subscriber | undefined,
  input: SignupInput,
  now: number,
): Decision {
  const expiresAt = Math.floor((now + PENDING_TTL_MS) / 1000);
  if (!current) {
    const item: Subscriber = {
      ...input,
      status: "pending",
      version: 1,
      createdAt: iso(now),
      updatedAt: iso(now),
      received: [],
      sends: [],
      confirmCount: 1,
      confirmWindowStart: iso(now),
      confirmLastAt: iso(now),
      expiresAt,
    };
    return { kind: "create", item, sendConfirm: true };
  }
  if (current.status === "active" || current.status === "completed") {
    return { kind: "noop", reason: "already subscribed" };
  }
  if (current.status === "bounced" || current.status === "complained") {
    return { kind: "noop", reason: `address ${current.status}` };
  }
  // pending (possibly expired) or unsubscribed: a fresh confirmation, within the limits.
  // Nothing changes unless a confirmation can go out, so a flood of signups writes nothing.
  const budget = confirmBudget(current, now);
  if (!budget) return { kind: "noop", reason: "confirmation rate limit" };
  return {
    kind: "update",
    set: {
      status: "pending",
      firstName: input.firstName || current.firstName,
      timeZone: input.timeZone,
      consent: input.consent,
      expiresAt,
      ...budget,
    },
    remove: [],
    sendConfirm: true,
  };
}

/**
 * The confirm page's POST. Starts (or resumes) the sequence now with `next`, the email next
 * for this subscriber under the current order (the welcome email for a new one); with nothing
 * left, they are completed.
 */
export function onConfirm(
  current: Subscriber | undefined,
  now: number,
  next: { id: string; planned: string } | undefined,
): Decision {
  if (!current) return { kind: "refuse", reason: "unknown" };
  if (current.status === "active" || current.status === "completed") {
    return { kind: "noop", reason: "already confirmed" };
  }
  if (ENDED.includes(current.status)) return { kind: "refuse", reason: "ended" };
  if (isExpired(current, now)) return { kind: "refuse", reason: "expired" };
  if (!next) {
    return {
      kind: "update",
      set: { status: "completed", confirmedAt: iso(now), ...parked(current.sid, now) },
      remove: ["expiresAt", "lease", "nextId", "planned"],
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
    },
    remove: ["expiresAt", "lease"],
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

import type { Subscriber } from "./subscriber";
import { dueShard } from "./tokens";
import { type Decision, DUE_SHARDS } from "./transitions";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The owner pauses one subscriber: they leave the due index (so nothing is claimed or sent)
 * and keep their place and the time their next email was due. A send already claimed is
 * dropped at its look-before-send, because its lease is gone.
 */
export function onPause(current: Subscriber | undefined, now: number): Decision {
  if (!current) return { kind: "refuse", reason: "unknown" };
  if (current.pausedAt) return { kind: "noop", reason: "already paused" };
  if (current.status !== "active") return { kind: "noop", reason: `${current.status}` };
  return {
    kind: "update",
    set: { pausedAt: iso(now), ...(current.dueAt ? { pausedDueAt: current.dueAt } : {}) },
    remove: ["dueAt", "dueShard", "lease"],
  };
}

/**
 * Resumes a paused subscriber where they were: the email that was due when they were paused
 * falls due now (or at its original time, if that is still ahead). Only active subscribers go
 * back into the due index; anyone who left meanwhile simply stops being paused.
 */
export function onResume(current: Subscriber | undefined, now: number): Decision {
  if (!current) return { kind: "refuse", reason: "unknown" };
  if (!current.pausedAt) return { kind: "noop", reason: "not paused" };
  if (current.status !== "active") {
    return { kind: "update", set: {}, remove: ["pausedAt", "pausedDueAt"] };
  }
  const was = current.pausedDueAt ? Date.parse(current.pausedDueAt) : now;
  return {
    kind: "update",
    set: { dueAt: iso(Math.max(now, was)), dueShard: dueShard(current.sid, DUE_SHARDS) },
    remove: ["pausedAt", "pausedDueAt"],
    kick: true,
  };
}

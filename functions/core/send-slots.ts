import { PENDING, perWindow, SPAN } from "./send-window";

/**
 * Send slots: how several senders that cannot see each other's windows share one account's
 * rate exactly. There are a fixed number of slots, each with a whole share of the rate, and the
 * shares add up to the rate. A sender sends only while it holds a slot (a lease in the table),
 * at that slot's share, and a slot's window travels with the slot: its last holder writes its
 * starts on release, and the next holder counts them as its own. Every start then belongs to
 * one slot, no slot's window ever holds more than its share, so no 1-second window holds more
 * than the rate. Pure: times are epoch milliseconds, `now` is passed in.
 */

/** One send slot as the table keeps it. */
export interface SlotRecord {
  /** The instance that claimed it last; kept on release, so it may take it back first. */
  holder?: string;
  /** Held until then (epoch ms); 0 once released. */
  leaseUntil: number;
  /** Its last holder's starts that may still count (epoch ms), written on release. */
  starts?: number[];
  /** An instance waiting for it (no slot was free): only it may claim it until `nextUntil`. */
  next?: string;
  nextUntil?: number;
}

/**
 * Beyond the moment its holder can start its last send (a Lambda is stopped at its timeout),
 * how long a lease lasts: that send's window, plus room for a request that leaves late and for
 * the clocks of two instances to differ.
 */
export const LEASE_MARGIN_MS = SPAN + 4_000;
/** How long a waiter's mark holds a slot for it; it renews the mark each time it looks. */
export const MARK_MS = 3_000;

/**
 * Each slot's whole share of `rate`: `floor(R / S)`, plus one for the first `R mod S` slots,
 * so together they are exactly R. With R < S the last slots get none: they are never claimed.
 * @example slotShares(15, 2) // [8, 7]
 * @example slotShares(1, 2) // [1, 0]
 */
export function slotShares(rate: number, slots: number): number[] {
  const total = perWindow(rate);
  const n = Math.max(1, Math.floor(slots));
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

/**
 * The slots to try, in order: the one this sender held last (its own window goes on, and two
 * senders do not race for one slot), then the others by share, largest first. Slots without a
 * share are never tried.
 * @example claimOrder([8, 7], 1) // [1, 0]
 */
export function claimOrder(shares: readonly number[], last?: number): number[] {
  const useful = shares.flatMap((share, i) => (share > 0 ? [i] : []));
  return last !== undefined && useful.includes(last)
    ? [last, ...useful.filter((i) => i !== last)]
    : useful;
}

/**
 * Whether `me` may claim a slot at `now`: nobody holds it (never claimed, released, or its
 * lease ran out) or `me` does, and no other waiter has marked it. The table's conditional
 * write states the same rule (functions/adapters/send-slots.ts).
 */
export function claimable(slot: SlotRecord | undefined, me: string, now: number): boolean {
  if (!slot) return true;
  const free = slot.leaseUntil <= now || slot.holder === me;
  const unmarked = slot.nextUntil === undefined || slot.nextUntil <= now || slot.next === me;
  return free && unmarked;
}

/**
 * The window a new holder of a slot starts with (ascending), given the slot as it was before
 * the claim: the starts its last holder wrote on release that may still count; after a lease
 * that ran out unreleased (a holder that crashed or was stopped), the whole share until the
 * lease's end, which is past anything that holder could still have counting.
 * @example inheritedStarts({ leaseUntil: 0, starts: [100, 600] }, 7, 1000) // [100, 600]
 */
export function inheritedStarts(
  slot: SlotRecord | undefined,
  share: number,
  now: number,
): number[] {
  if (!slot) return [];
  if (slot.leaseUntil > 0) {
    const blockedUntil = Math.max(slot.leaseUntil, now);
    return Array.from({ length: perWindow(share) }, () => blockedUntil - SPAN);
  }
  return [...(slot.starts ?? [])].filter((s) => s > now - SPAN).sort((a, b) => a - b);
}

/**
 * What a holder writes on release: its starts that may still count. `undefined` while one of
 * them has not left yet: it might leave after the release, so the slot is not released and its
 * lease runs out instead.
 * @example releasedStarts([100, 900, 1500], 2000) // [1500]: 100 and 900 aged out
 */
export function releasedStarts(starts: readonly number[], now: number): number[] | undefined {
  if (starts.includes(PENDING)) return undefined;
  return starts.filter((s) => s > now - SPAN);
}

/**
 * Of an invocation's last moments, how long its holder starts nothing new: room for the last
 * send's SES call, its advance and the release, so a batch that cannot finish in time gives the
 * rest back instead of running into Lambda's timeout.
 */
export const FINISH_MS = 3_000;

/**
 * A claim made at `now` by an invocation with `remainingMs` to live (Lambda stops it then):
 * the last moment it may start a send (`until`) and the lease's end written to the table.
 * @example leaseFor(0, 30_000) // { until: 27000, leaseUntil: 35020 }
 */
export function leaseFor(now: number, remainingMs: number) {
  const end = now + Math.max(0, remainingMs);
  return { until: Math.max(now, end - FINISH_MS), leaseUntil: end + LEASE_MARGIN_MS };
}

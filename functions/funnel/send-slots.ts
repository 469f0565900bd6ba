import type { Logger } from "../core/ports";
import {
  claimOrder,
  inheritedStarts,
  leaseFor,
  MARK_MS,
  type SlotRecord,
  slotShares,
} from "../core/send-slots";
import type { Sender } from "./pace";

/** The slot items in the table (functions/adapters/send-slots.ts). */
export interface SlotTable {
  /**
   * Claims slot `index` for `me` until `leaseUntil`, if {@link claimable} at `now`: the slot as
   * it was before (undefined if it never existed), or `false` when it is not free.
   */
  claim(
    index: number,
    me: string,
    leaseUntil: number,
    now: number,
  ): Promise<SlotRecord | undefined | false>;
  /** Frees the slot `me` claimed until `leaseUntil`, writing the window it leaves behind. */
  release(index: number, me: string, leaseUntil: number, starts: number[]): Promise<void>;
  /** Marks slot `index` as wanted by `me` until `until` (unless another waiter marked it). */
  mark(index: number, me: string, until: number, now: number): Promise<void>;
}

export interface SlotOptions {
  /** How many slots share the rate (SES_SENDERS). */
  slots: number;
  /** The account's rate, R: the slots' shares add up to it. */
  rate: () => number;
  /** This instance, as the slot items name their holder. */
  me: string;
  logger: Logger;
  /** Epoch milliseconds, the clock every instance shares. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** How often a sender without a slot looks again (jittered, 0.5x to 1.5x). */
  pollMs?: number;
}

/** A claimed slot (or none): release it when the invocation's sends are done. */
export interface SlotHold {
  /** The slot held, undefined when none was free. */
  index?: number;
  share: number;
  release(): Promise<void>;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The send slots of one instance (functions/core/send-slots.ts): at the start of an invocation
 * it claims a slot and hands it to `sender` (share, inherited window, last start); at the end it
 * writes the sender's window back and frees the slot. When no slot with a share is free (more
 * instances than slots, or R below the number of slots) it marks one as wanted and looks again
 * for up to half the invocation; then the sender holds none and sends nothing.
 * @example const slots = sendSlots(table, sender, { slots: 2, rate: quota.accountRate, me, logger });
 * const hold = await slots.claim(context.getRemainingTimeInMillis()); ... await hold.release();
 */
export function sendSlots(
  table: SlotTable,
  sender: Pick<Sender, "hold" | "window">,
  opts: SlotOptions,
) {
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? wait;
  const random = opts.random ?? Math.random;
  const pollMs = opts.pollMs ?? 250;
  let last: number | undefined;

  async function tryClaim(remainingMs: number, started: number): Promise<SlotHold | undefined> {
    const t = now();
    const shares = slotShares(opts.rate(), opts.slots);
    const { until, leaseUntil } = leaseFor(t, remainingMs - (t - started));
    for (const index of claimOrder(shares, last)) {
      const before = await table.claim(index, opts.me, leaseUntil, t);
      if (before === false) continue;
      const share = shares[index] as number;
      // Its own slot, taken back: its own window goes on (it is the same one it wrote).
      const own = before?.holder === opts.me && last === index;
      sender.hold({ share, starts: own ? undefined : inheritedStarts(before, share, t), until });
      last = index;
      return {
        index,
        share,
        release: async () => {
          const starts = sender.window();
          sender.hold(null);
          // A start still pending could leave after the release: let the lease run out instead.
          if (!starts) return;
          await table.release(index, opts.me, leaseUntil, starts).catch((e) =>
            opts.logger.warn("send slot not released; its lease runs out", {
              error: (e as Error)?.name ?? "error",
            }),
          );
        },
      };
    }
    return undefined;
  }

  return {
    /** Claims a slot for an invocation with `remainingMs` to live (Lambda's remaining time). */
    async claim(remainingMs: number): Promise<SlotHold> {
      const started = now();
      for (;;) {
        const held = await tryClaim(remainingMs, started);
        if (held) return held;
        const order = claimOrder(slotShares(opts.rate(), opts.slots), last);
        if (order.length === 0 || now() - started + pollMs > remainingMs / 2) break;
        // Wanted: the holder's next invocation leaves it to this one, so two instances
        // sharing fewer slots with a share (R below the number of slots) take turns.
        await table.mark(order[0] as number, opts.me, now() + MARK_MS, now());
        await sleep(pollMs * (0.5 + random()));
      }
      opts.logger.info("no send slot free; the batch is given back");
      sender.hold(null);
      return { share: 0, release: async () => {} };
    },
  };
}

export type SendSlots = ReturnType<typeof sendSlots>;

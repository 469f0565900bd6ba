import type { Mailer, OutgoingEmail } from "../adapters/mailer";
import { admit, type Breaker, type BreakerRule, CLOSED, haltedFor, settle } from "../core/breaker";
import { classifySendError } from "../core/refusals";
import { releasedStarts } from "../core/send-slots";
import { leftAt, nextSlot, PENDING, recordStart, SLOT_PACE, waitFor } from "../core/send-window";
import {
  AccountRefusedError,
  NoSendSlotError,
  RetryableSendError,
  SendingHaltedError,
} from "./errors";

export interface SenderOptions {
  /**
   * Most sends to start in any 1-second window while no send slot was ever given (`npm start`:
   * the one sender of the process). A slot's share replaces it (see {@link Sender.hold}).
   */
  rate: () => number;
  /** How long sending halts after SES refuses the account (doubling up to `maxMs`). */
  halt?: BreakerRule;
  /** Wall-clock milliseconds (pacing is real time, whatever the sequence clock does). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What came of one delivery. `refused`: SES refused this recipient (nobody else). */
export type Delivery<T, E extends OutgoingEmail = OutgoingEmail> =
  | { kind: "skipped" }
  | { kind: "sent"; target: T; email: E; messageId: string }
  | { kind: "refused"; target: T; email: E; reason: string; error: unknown };

/** The one way email leaves: paced, halted while SES refuses the account, looking first. */
export interface Sender {
  /**
   * Waits for this sender's turn and a free slot in the rate window, then calls `look`
   * (the last read before SES: `undefined` means send nothing), composes and sends.
   * Throws {@link RetryableSendError} (throttled, transient), {@link SendingHaltedError}
   * (halted, no SES call made) or {@link AccountRefusedError} (SES refused the account).
   */
  deliver<T, E extends OutgoingEmail>(
    look: () => Promise<T | undefined>,
    compose: (target: T) => Promise<E> | E,
  ): Promise<Delivery<T, E>>;
  /** {@link deliver} without a look, for an email already composed; resolves to its message id. */
  send(email: OutgoingEmail): Promise<string>;
  /**
   * On AWS, for each invocation: the send slot this instance holds (functions/core/send-slots.ts),
   * which sets its rate (the slot's share) and its window (the one the slot carries, or its own
   * when `starts` is undefined), and the last moment a send may start. `null`: no slot, every
   * delivery throws {@link NoSendSlotError} until the next `hold`. Never called (`npm start`):
   * the sender paces to `rate` alone.
   */
  hold(slot: HeldSlot | null): void;
  /** Its starts that may still count, for the slot's next holder; `undefined` while one is pending. */
  window(): number[] | undefined;
}

/** A send slot as the sender holds it (see {@link Sender.hold}). */
export interface HeldSlot {
  share: number;
  /** The window the slot carries (epoch ms, ascending); undefined: keep this sender's own. */
  starts?: number[];
  /** No send starts after this. */
  until: number;
}

/** AWS: after SES refuses the account, try again in 10 s, doubling up to 5 minutes. */
export const HALT: BreakerRule = { baseMs: 10_000, maxMs: 5 * 60_000 };

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wakes whoever waits for a pending start to leave. */
function signal() {
  let waiting: (() => void)[] = [];
  return {
    next: () => new Promise<void>((r) => waiting.push(r)),
    notify() {
      const wake = waiting;
      waiting = [];
      for (const r of wake) r();
    },
  };
}

/**
 * A sender over `mailer`. All deliveries through one sender share one exact rate window
 * (functions/core/send-window.ts) and one circuit breaker (functions/core/breaker.ts). Each
 * delivery plans a slot, waits for it and for the window of real starts, then looks, composes
 * and starts its SES call with no wait in between: the look is the last read before SES, and
 * the window counts the calls themselves.
 * @example const sender = createSender(createMailer(ses, opts), { rate: () => 7 });
 */
export function createSender(mailer: Pick<Mailer, "send">, opts: SenderOptions): Sender {
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? wait;
  const random = opts.random ?? Math.random;
  const rule = opts.halt ?? HALT;
  let starts: number[] = [];
  let planned: number[] = [];
  let breaker: Breaker = CLOSED;
  /** The slot held on AWS; undefined: none was ever given, pace to `opts.rate`. */
  let slot: HeldSlot | null | undefined;
  const rate = () => (slot ? slot.share : opts.rate());
  const left = signal();

  const noSlot = () => {
    if (slot === null) throw new NoSendSlotError("this instance holds no send slot");
    if (slot && now() > slot.until) throw new NoSendSlotError("the send slot's lease ran out");
  };
  const halted = () => {
    const ms = haltedFor(breaker, rule, now());
    if (ms > 0) throw new SendingHaltedError("sending is halted", { retryInMs: ms });
  };
  const until = async (at: number) => {
    for (let ms = at - now(); ms > 0; ms = at - now()) await sleep(ms);
  };

  async function deliver<T, E extends OutgoingEmail>(
    look: () => Promise<T | undefined>,
    compose: (target: T) => Promise<E> | E,
  ): Promise<Delivery<T, E>> {
    noSlot();
    halted();
    // A slot's holder plans ahead of its share, so the turnaround between two invocations
    // falls where the window has no room (see SLOT_PACE).
    const at = nextSlot(planned, rate(), now(), slot ? SLOT_PACE : 1);
    // Its turn would come after the slot's last start: give it back now rather than then.
    if (slot && at > slot.until) throw new NoSendSlotError("no turn left in the send slot's lease");
    planned = recordStart(planned, rate(), at);
    await until(at);
    halted();
    for (let ms = waitFor(starts, rate(), now()); ms > 0; ) {
      // Infinity: the window is full and one of its starts has not left yet; it counts as
      // leaving any moment, so wait until it has.
      await (Number.isFinite(ms) ? sleep(ms) : left.next());
      ms = waitFor(starts, rate(), now());
    }
    // A slot's holder starts nothing after its lease (on AWS, Lambda stops it first).
    noSlot();
    // This send's start, held from here: pending while it looks, composes and calls SES, and
    // timed when its request leaves. No other send can take the place meanwhile, so nothing
    // waits between the look and the call.
    starts = recordStart(starts, rate(), PENDING);
    let open = true;
    const leave = (at?: number) => {
      if (!open) return;
      open = false;
      starts = leftAt(starts, rate(), at);
      left.notify();
    };
    let target: T | undefined;
    let email: E;
    let admitted: ReturnType<typeof admit>;
    try {
      // The look comes after every wait, so what it read is what the SES call acts on.
      target = await look();
      if (target === undefined) {
        leave();
        return { kind: "skipped" };
      }
      admitted = admit(breaker, rule, now());
      if (!admitted.ok) {
        throw new SendingHaltedError("sending is halted", { retryInMs: admitted.waitMs });
      }
      breaker = admitted.breaker;
      email = await compose(target);
    } catch (error) {
      leave();
      throw error;
    }
    const generation = admitted.generation;
    try {
      // Called as the request leaves (the SDK's last step before HTTP). A further attempt
      // (an SDK retry) counts as one more start: the senders' clients make one attempt only.
      const messageId = await mailer.send(email, () => {
        if (open) leave(now());
        else starts = recordStart(starts, rate(), now());
      });
      // A mailer that never said when its request left: it left by now at the latest.
      leave(now());
      breaker = settle(breaker, rule, generation, "accepted", now(), random);
      return { kind: "sent", target, email, messageId };
    } catch (error) {
      // Failed before its request left (never reached SES): its place is free again.
      leave();
      const kind = classifySendError(error, email.to);
      breaker = settle(breaker, rule, generation, kind, now(), random);
      const name = String((error as Error)?.name ?? "error");
      if (kind === "recipient") return { kind: "refused", target, email, reason: name, error };
      const retryInMs = haltedFor(breaker, rule, now()) || undefined;
      if (kind === "account") {
        throw new AccountRefusedError(`SES refused the account: ${name}`, {
          cause: error,
          retryInMs,
        });
      }
      throw new RetryableSendError(`send ${kind}: ${name}`, { cause: error });
    }
  }

  return {
    deliver,
    hold(next) {
      slot = next;
      if (next?.starts) {
        starts = [...next.starts];
        planned = [...next.starts];
      }
    },
    window: () => releasedStarts(starts, now()),
    async send(email) {
      const out = await deliver(
        async () => email,
        (e) => e,
      );
      if (out.kind === "sent") return out.messageId;
      // A recipient-level refusal of an email sent without a look is the caller's to handle.
      throw out.kind === "refused" ? out.error : new Error("nothing was sent");
    },
  };
}

import type { Mailer, OutgoingEmail } from "../adapters/mailer";
import { admit, type Breaker, type BreakerRule, CLOSED, haltedFor, settle } from "../core/breaker";
import { classifySendError } from "../core/refusals";
import { handover, nextSlot, recordStart, waitFor, withoutStart } from "../core/send-window";
import { AccountRefusedError, RetryableSendError, SendingHaltedError } from "./errors";

export interface SenderOptions {
  /** Most sends to start in any 1-second window (this sender's share of SES's MaxSendRate). */
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
   * At the start of each invocation on AWS: this instance may be taking over from another one
   * whose last second it cannot see. If it sent nothing within the last window, it starts
   * nothing for one (functions/core/send-window.ts `handover`).
   */
  handover(): void;
}

/** AWS: after SES refuses the account, try again in 10 s, doubling up to 5 minutes. */
export const HALT: BreakerRule = { baseMs: 10_000, maxMs: 5 * 60_000 };

/** The window filled while a send looked (a look slower than the window): nothing was sent. */
class WindowMovedError extends RetryableSendError {
  constructor() {
    super("send window filled during the look");
  }
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
    halted();
    const slot = nextSlot(planned, opts.rate(), now());
    planned = recordStart(planned, opts.rate(), slot);
    await until(slot);
    halted();
    for (let ms = waitFor(starts, opts.rate(), now()); ms > 0; ) {
      await sleep(ms);
      ms = waitFor(starts, opts.rate(), now());
    }
    // The look comes after every wait, so what it read is what the SES call acts on. This
    // send holds its place in the window while it looks: no other send can take it meanwhile.
    const held = now();
    starts = recordStart(starts, opts.rate(), held);
    const giveBack = () => {
      starts = withoutStart(starts, held);
    };
    let target: T | undefined;
    let email: E;
    try {
      target = await look();
      if (target === undefined) return { kind: "skipped" };
      email = await compose(target);
    } finally {
      giveBack();
    }
    // The exact check on real starts, this send's held place given back. From here to the SES
    // call nothing awaits, so check, record and call are one step. A look slower than the
    // window could have let it fill: then nothing is sent on that look, and the job is retried.
    if (waitFor(starts, opts.rate(), now()) > 0) throw new WindowMovedError();
    const admitted = admit(breaker, rule, now());
    if (!admitted.ok) {
      throw new SendingHaltedError("sending is halted", { retryInMs: admitted.waitMs });
    }
    breaker = admitted.breaker;
    const pending = mailer.send(email);
    // Recorded once the call's synchronous part (SDK middleware up to the request) has run:
    // the window then holds each start's latest possible time, so even when the process is
    // preempted between the check and the call, starts as the SDK sees them keep the limit.
    starts = recordStart(starts, opts.rate(), now());
    try {
      const messageId = await pending;
      breaker = settle(breaker, rule, admitted.generation, "accepted", now(), random);
      return { kind: "sent", target, email, messageId };
    } catch (error) {
      const kind = classifySendError(error, email.to);
      breaker = settle(breaker, rule, admitted.generation, kind, now(), random);
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
    handover() {
      starts = handover(starts, opts.rate(), now());
    },
    async send(email) {
      let out: Delivery<OutgoingEmail, OutgoingEmail>;
      for (;;) {
        try {
          out = await deliver(
            async () => email,
            (e) => e,
          );
          break;
        } catch (e) {
          // Nothing was read, so nothing went stale: wait for the window again.
          if (!(e instanceof WindowMovedError)) throw e;
        }
      }
      if (out.kind === "sent") return out.messageId;
      // A recipient-level refusal of an email sent without a look is the caller's to handle.
      throw out.kind === "refused" ? out.error : new Error("nothing was sent");
    },
  };
}

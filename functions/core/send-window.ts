/**
 * An exact send-rate limit as plain data: a send may start only if fewer than `rate` sends
 * started in the last second (plus a small guard), that is, if the `rate`-th previous send
 * started at least that long ago. Unlike a token bucket, nothing bursts on top of the rate: no
 * 1-second window, wherever it falls, ever holds more than `rate` starts. Pure: every function
 * takes `now` (ms) and returns new state.
 */

/** The window's length. */
export const WINDOW_MS = 1000;
/**
 * Kept on top of the window: a start is recorded a moment before the request leaves, and that
 * moment varies by a few milliseconds from send to send. Costs 2 % of the rate.
 */
export const GUARD_MS = 20;
/** How long a start counts against the window. */
export const SPAN = WINDOW_MS + GUARD_MS;

/** Sends allowed per window for a configured rate: whole sends, at least one. */
export const perWindow = (rate: number) =>
  Number.isFinite(rate) && rate >= 1 ? Math.floor(rate) : 1;

/**
 * How long to wait (ms) before the next send may start; 0 when it may start now.
 * `starts` are earlier start times, ascending.
 * @example waitFor([0, 100, 200], 3, 500) // 520: the third previous start (0) + 1020 - 500
 */
export function waitFor(starts: readonly number[], rate: number, now: number): number {
  const n = perWindow(rate);
  if (starts.length < n) return 0;
  return Math.max(0, (starts[starts.length - n] as number) + SPAN - now);
}

/** The window after a send started (or a slot was planned) at `at`: only the last `rate` count. */
export function recordStart(starts: readonly number[], rate: number, at: number): number[] {
  return [...starts, at].slice(-perWindow(rate));
}

/** The window without one start recorded at `at` (a place held and given back). */
export function withoutStart(starts: readonly number[], at: number): number[] {
  const i = starts.lastIndexOf(at);
  return i < 0 ? [...starts] : [...starts.slice(0, i), ...starts.slice(i + 1)];
}

/**
 * The earliest slot at or after `now` for the next send: evenly spaced, `SPAN / rate` after the
 * slot planned last, so a backlog flows at the rate instead of in a burst each second (and the
 * looks that precede the slots are spread the same way). After an idle spell it is `now`. The
 * window of real starts ({@link waitFor}) stays the exact limit: a send that runs late may
 * catch up within it, never beyond it.
 * @example nextSlot([0, 340, 680], 3, 50) // 1020
 */
export function nextSlot(planned: readonly number[], rate: number, now: number): number {
  const last = planned.at(-1);
  const spaced = last === undefined ? now : last + SPAN / perWindow(rate);
  return Math.max(now, spaced, now + waitFor(planned, rate, now));
}

/**
 * A sender's whole share of the account's rate when `senders` pace independently: together
 * they start at most `senders * share <= accountRate` in any second. Below one send a second
 * per sender (the SES sandbox's rate of 1 split between 2 senders) no whole share exists; each
 * then sends one a second, and SES throttles the excess, which is retried.
 * @example shareOf(14, 2) // 7
 */
export function shareOf(accountRate: number, senders: number): number {
  return perWindow(accountRate / Math.max(1, Math.floor(senders)));
}

/**
 * The window of a sender that may be taking over from another instance, which this one cannot
 * see: one that started nothing within the last window counts it as full from `now`, so it
 * starts nothing for a window's length and whatever the other started has aged out. A sender
 * that sent within the last window keeps its own (it is continuing its own stream).
 * @example handover([], 3, 5000) // [5000, 5000, 5000]: the next start waits until 6020
 */
export function handover(starts: readonly number[], rate: number, now: number): number[] {
  const last = starts.at(-1);
  if (last !== undefined && now - last < SPAN) return [...starts];
  return Array.from({ length: perWindow(rate) }, () => now);
}

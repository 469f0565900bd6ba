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
const SPAN = WINDOW_MS + GUARD_MS;

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

/**
 * The earliest slot at or after `now` that keeps planned sends inside the window, never before
 * a slot already planned. Senders plan slots in turn, so concurrent sends do not all wake for
 * the same free moment.
 * @example nextSlot([0, 100, 200], 3, 50) // 1020
 */
export function nextSlot(planned: readonly number[], rate: number, now: number): number {
  return Math.max(now, planned.at(-1) ?? now, now + waitFor(planned, rate, now));
}

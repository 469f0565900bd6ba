/**
 * An exact send-rate limit as plain data: a send may start only if fewer than `rate` sends
 * started in the last second (plus a small guard), that is, if the `rate`-th previous send
 * started at least that long ago. Unlike a token bucket, nothing bursts on top of the rate: no
 * 1-second window, wherever it falls, ever holds more than `rate` starts. Pure: every function
 * takes `now` (ms) and returns new state.
 *
 * A start is the moment its request leaves for SES. Until then it is {@link PENDING}: it
 * counts as starting at any moment from now on, so a request that leaves late (a busy event
 * loop, a slow credential or signing step) can never bunch up with the ones that follow.
 * Starts are kept in ascending order, pending ones last.
 */

/** The window's length. */
export const WINDOW_MS = 1000;
/**
 * Kept on top of the window: a request is timed as the SDK hands it to its HTTP handler, and
 * its arrival at SES varies by a few milliseconds from request to request (the network, a new
 * connection's handshake). Costs 2 % of the rate.
 */
export const GUARD_MS = 20;
/** How long a start counts against the window. */
export const SPAN = WINDOW_MS + GUARD_MS;

/** A start whose request has not left yet. */
export const PENDING = Number.POSITIVE_INFINITY;

/** Sends allowed per window for a configured rate: whole sends, at least one. */
export const perWindow = (rate: number) =>
  Number.isFinite(rate) && rate >= 1 ? Math.floor(rate) : 1;

/**
 * How long to wait (ms) before the next send may start; 0 when it may start now, `Infinity`
 * when it must wait for a pending start to leave. `starts` are earlier starts, ascending.
 * @example waitFor([0, 100, 200], 3, 500) // 520: the third previous start (0) + 1020 - 500
 */
export function waitFor(starts: readonly number[], rate: number, now: number): number {
  const n = perWindow(rate);
  if (starts.length < n) return 0;
  return Math.max(0, (starts[starts.length - n] as number) + SPAN - now);
}

/**
 * The window after a send started (or a slot was planned, or a start is held {@link PENDING})
 * at `at`: in order, only the last `rate` kept. What is dropped had aged out when `at` was
 * allowed.
 */
export function recordStart(starts: readonly number[], rate: number, at: number): number[] {
  const i = starts.findIndex((s) => s > at);
  const next = i < 0 ? [...starts, at] : [...starts.slice(0, i), at, ...starts.slice(i)];
  return next.slice(-perWindow(rate));
}

/**
 * The window once a pending start's request left at `at`; with `at` undefined it never left
 * (nothing read, nothing sent), and the place it held is free again.
 * @example leftAt([100, PENDING], 3, 140) // [100, 140]
 */
export function leftAt(starts: readonly number[], rate: number, at?: number): number[] {
  const i = starts.indexOf(PENDING);
  if (i < 0) return [...starts];
  const rest = [...starts.slice(0, i), ...starts.slice(i + 1)];
  return at === undefined ? rest : recordStart(rest, rate, at);
}

/**
 * How much faster than its share a send slot's holder plans its sends (on AWS, a batch at a
 * time). Spaced at its share's pace, the window has room during every turnaround between two
 * invocations (the last SES answer, the release, SQS's next invocation, the claim), and that
 * room is lost for good: the window is exact, so a start that came late holds back the one a
 * window later. Planned four times as fast, a batch is done in a quarter of its share's time
 * and the window of real starts, not the plan, holds the holder to its share: its starts bunch
 * by batch, and a turnaround mostly falls where the window has no room anyway. Not all at once:
 * fewer requests leave together, so their arrival at SES spreads less.
 */
export const SLOT_PACE = 4;

/**
 * The earliest slot at or after `now` for the next send: evenly spaced, `SPAN / (rate × pace)`
 * after the slot planned last, so a backlog flows at the rate instead of in a burst each second
 * (and the looks that follow the slots are spread the same way); after an idle spell it is
 * `now`. `pace` is 1 for one sender working through a backlog (`npm start`), {@link SLOT_PACE}
 * for a send slot's holder. Never more than `rate` slots in a window, and the window of real
 * starts ({@link waitFor}) stays the exact limit: a send that runs late may catch up within it,
 * never beyond it.
 * @example nextSlot([0, 340, 680], 3, 50) // 1020
 * @example nextSlot([0, 100], 3, 50, 4) // 185: SPAN / 12 after 100
 */
export function nextSlot(planned: readonly number[], rate: number, now: number, pace = 1): number {
  const last = planned.at(-1);
  const spaced = last === undefined ? now : last + SPAN / (perWindow(rate) * pace);
  return Math.max(now, spaced, now + waitFor(planned, rate, now));
}

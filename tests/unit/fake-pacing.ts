import { WINDOW_MS } from "../../functions/core/send-window";

/** Helpers of the pacing properties: a fake clock with late timers, and the busiest second. */

/** The most starts in any half-open window [t, t + 1000): sliding, wherever it falls. */
export function busiest(starts: number[]): number {
  const s = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while ((s[i] as number) - (s[j] as number) >= WINDOW_MS) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** A small deterministic generator, so each run's latencies follow from fast-check's seed. */
export function lcg(seed: number) {
  let s = seed % 2147483647 || 1;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

/**
 * Timers on a fake clock. Every sleep fires up to `lateMs` after it was due (a loaded event
 * loop); `run` fires timers in time order until `done` settles.
 */
export function fakeClock(lateMs: number, random: () => number) {
  let now = 0;
  const timers: { at: number; fire: () => void }[] = [];
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => now,
    sleep: (ms: number) =>
      new Promise<void>((fire) => {
        timers.push({ at: now + Math.max(0, ms) + random() * lateMs, fire });
      }),
    async run(done: Promise<unknown>) {
      let finished = false;
      done.finally(() => {
        finished = true;
      });
      for (await flush(); !finished; await flush()) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers.shift();
        if (!t) continue;
        now = Math.max(now, t.at);
        t.fire();
      }
    },
  };
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SPAN, shareOf, WINDOW_MS } from "../../functions/core/send-window";
import { createSender } from "../../functions/funnel/pace";

/** The most starts in any half-open window [t, t + 1000): sliding, wherever it falls. */
function busiest(starts: number[]): number {
  const s = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while ((s[i] as number) - (s[j] as number) >= WINDOW_MS) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** A small deterministic generator, so each run's latencies follow from fast-check's seed. */
function lcg(seed: number) {
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
function fakeClock(lateMs: number, random: () => number) {
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

const email = { to: "a@example.com", subject: "", html: "", text: "" };

type Shared = {
  senders: number;
  share: number;
  sendMs: number;
  lookMs: number;
  lateMs: number;
  extraWorkers: number;
  seed: number;
};

/**
 * `senders` pacing at a share each under continuous demand, on a fake clock: the starts, in
 * the order their requests left, and the account's rate R.
 */
async function runShared(p: Shared) {
  const random = lcg(p.seed);
  const clock = fakeClock(p.lateMs, random);
  const accountRate = p.senders * p.share;
  const starts: number[] = [];
  // Enough workers per sender that work is always ready (continuous demand).
  const cycleMs = p.sendMs + p.lookMs + p.lateMs * 2;
  const workers = Math.ceil((p.share * cycleMs) / 1000) + 1 + p.extraWorkers;
  // 12 seconds of work per sender at its share.
  const jobs = p.share * 12;
  const sender = () => {
    const s = createSender(
      {
        send: async (_email, leaves) => {
          starts.push(clock.now());
          leaves?.();
          await clock.sleep(p.sendMs * (0.5 + random()));
          return "id";
        },
      },
      { rate: () => shareOf(accountRate, p.senders), now: clock.now, sleep: clock.sleep },
    );
    let left = jobs;
    const worker = async () => {
      while (left-- > 0) {
        await s.deliver(
          async () => {
            await clock.sleep(p.lookMs * random());
            return "sub";
          },
          () => email,
        );
      }
    };
    return Promise.all(Array.from({ length: workers }, worker));
  };
  await clock.run(Promise.all(Array.from({ length: p.senders }, sender)));
  expect(starts).toHaveLength(jobs * p.senders);
  const span = ((starts.at(-1) as number) - (starts[0] as number)) / 1000;
  return { starts, accountRate, sustained: (starts.length - 1) / span };
}

const shared = (lookMs: number, lateMs: number) =>
  fc.record({
    senders: fc.integer({ min: 1, max: 3 }),
    share: fc.integer({ min: 1, max: 40 }),
    /** SES's answer time, and how long the look (the last read) takes. */
    sendMs: fc.integer({ min: 1, max: 150 }),
    lookMs: fc.integer({ min: 0, max: lookMs }),
    /** How late a timer may fire on a loaded machine. */
    lateMs: fc.integer({ min: 0, max: lateMs }),
    extraWorkers: fc.integer({ min: 0, max: 6 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  });

describe("senders sharing an account's rate, on a fake clock", () => {
  it("never start more than R in any 1-second window, whatever the look and the timers cost; the rate lost is only the look's own time and late timers", async () => {
    await fc.assert(
      fc.asyncProperty(shared(40, 15), async (p) => {
        const { starts, accountRate, sustained } = await runShared(p);
        expect(busiest(starts)).toBeLessThanOrEqual(accountRate);
        // The look comes after every wait and before the SES call (nothing may wait between
        // them), so a place in the window turns over once per SPAN plus the look and the
        // timers that fire late around it: that is the most any exact pacer can sustain.
        // Nothing else may cost rate (a wasted wait of 20 ms fails this).
        const turnMs = SPAN + p.lookMs + 2 * p.lateMs;
        expect(sustained).toBeGreaterThanOrEqual(0.98 * accountRate * (WINDOW_MS / turnMs));
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it("with a look as fast as a DynamoDB read (<= 10 ms) and timers at most 5 ms late, sustain >= 0.95 R while work waits", async () => {
    await fc.assert(
      fc.asyncProperty(shared(10, 5), async (p) => {
        const { starts, accountRate, sustained } = await runShared(p);
        expect(busiest(starts)).toBeLessThanOrEqual(accountRate);
        expect(sustained).toBeGreaterThanOrEqual(0.95 * accountRate);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it("requests that leave late and out of order (a stalled event loop, slow signing) never bunch up: the window counts them as they leave", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rate: fc.integer({ min: 1, max: 30 }),
          /** Most time from the SES call to its request leaving; some never leave (an error). */
          leaveMs: fc.integer({ min: 1, max: 400 }),
          failShare: fc.constantFrom(0, 0.1),
          workers: fc.integer({ min: 1, max: 12 }),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
        }),
        async (p) => {
          const random = lcg(p.seed);
          const clock = fakeClock(5, random);
          const left: number[] = [];
          const s = createSender(
            {
              send: async (_email, leaves) => {
                // A stall before the request leaves: some wait long, later ones may overtake.
                await clock.sleep(random() < 0.2 ? p.leaveMs * random() : 0);
                if (random() < p.failShare)
                  throw Object.assign(new Error("x"), { name: "TimeoutError" });
                left.push(clock.now());
                leaves?.();
                await clock.sleep(30);
                return "id";
              },
            },
            { rate: () => p.rate, now: clock.now, sleep: clock.sleep },
          );
          let jobs = p.rate * 6;
          const worker = async () => {
            while (jobs-- > 0) await s.send(email).catch(() => undefined);
          };
          await clock.run(Promise.all(Array.from({ length: p.workers }, worker)));
          expect(left.length).toBeGreaterThan(0);
          expect(busiest(left)).toBeLessThanOrEqual(p.rate);
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it("a batch handed to another instance: it waits out the last second it cannot see; its own next batch does not wait", async () => {
    const clock = fakeClock(0, lcg(1));
    const share = 7;
    const starts: number[] = [];
    const instance = () =>
      createSender(
        {
          send: async (_email, leaves) => {
            starts.push(clock.now());
            leaves?.();
            await clock.sleep(40);
            return "id";
          },
        },
        { rate: () => share, now: clock.now, sleep: clock.sleep },
      );
    /** One invocation: a batch of ten, all at once, after the handover check. */
    const invocation = (s: ReturnType<typeof instance>) => {
      s.handover();
      return Promise.all(Array.from({ length: 10 }, () => s.send(email)));
    };
    const a = instance();
    const d = instance();
    const run = async () => {
      await invocation(a);
      const endA = clock.now();
      await invocation(a); // the same instance again: no pause
      const againA = starts[10] as number;
      await invocation(d); // another instance takes over the slot
      return { endA, againA };
    };
    const done = run();
    await clock.run(done);
    const { endA, againA } = await done;
    expect(starts).toHaveLength(30);
    expect(busiest(starts)).toBeLessThanOrEqual(share);
    // A continued its own stream: its next batch started at once (its window allowed it),
    // not a window after its last batch ended.
    expect(againA - endA).toBeLessThan(SPAN / 2);
  });

  it.each([
    [14, 2, 7],
    [50, 1, 50],
    [15, 2, 7],
    [43, 3, 14],
    [1, 2, 1],
  ])("rate %d split between %d senders: a whole share of %d each", (rate, senders, share) => {
    expect(shareOf(rate, senders)).toBe(share);
  });
});

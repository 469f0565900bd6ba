import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SPAN, WINDOW_MS } from "../../functions/core/send-window";
import { createSender } from "../../functions/funnel/pace";
import { busiest, fakeClock, lcg } from "./fake-pacing";

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
      { rate: () => p.share, now: clock.now, sleep: clock.sleep },
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
});

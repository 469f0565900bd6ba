import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimBudget, LEASE_SHARE } from "../../functions/core/claims";
import {
  claimable,
  claimOrder,
  FINISH_MS,
  inheritedStarts,
  LEASE_MARGIN_MS,
  leaseFor,
  releasedStarts,
  slotShares,
} from "../../functions/core/send-slots";
import { PENDING, SPAN } from "../../functions/core/send-window";
import { NoSendSlotError } from "../../functions/funnel/errors";
import { createSender } from "../../functions/funnel/pace";
import { busiest, fakeClock, lcg } from "./fake-pacing";
import { simulate } from "./slot-sim";

describe("send slots: the rules", () => {
  it.each([
    [14, 2, [7, 7]],
    [15, 2, [8, 7]],
    [1, 2, [1, 0]],
    [43, 3, [15, 14, 14]],
    [2, 3, [1, 1, 0]],
    [50, 1, [50]],
  ])("rate %d over %d slots: shares %j", (rate, slots, shares) => {
    expect(slotShares(rate, slots)).toEqual(shares);
  });

  it("the shares add up to exactly R, and differ by at most one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 50 }), (r, s) => {
        const shares = slotShares(r, s);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(r);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("tries its own last slot first, then the largest shares; never a slot without a share", () => {
    expect(claimOrder([8, 7])).toEqual([0, 1]);
    expect(claimOrder([8, 7], 1)).toEqual([1, 0]);
    expect(claimOrder([1, 0], 1)).toEqual([0]);
    expect(claimOrder([1, 1, 0], 2)).toEqual([0, 1]);
  });

  it("a slot is claimable when free, its lease over, or already held by the claimer, unless another waiter marked it", () => {
    expect(claimable(undefined, "a", 5)).toBe(true);
    expect(claimable({ holder: "b", leaseUntil: 0 }, "a", 5)).toBe(true);
    expect(claimable({ holder: "b", leaseUntil: 9 }, "a", 5)).toBe(false);
    expect(claimable({ holder: "b", leaseUntil: 5 }, "a", 5)).toBe(true);
    expect(claimable({ holder: "a", leaseUntil: 9 }, "a", 5)).toBe(true);
    expect(claimable({ holder: "b", leaseUntil: 0, next: "c", nextUntil: 9 }, "a", 5)).toBe(false);
    expect(claimable({ holder: "b", leaseUntil: 0, next: "a", nextUntil: 9 }, "a", 5)).toBe(true);
    expect(claimable({ holder: "b", leaseUntil: 0, next: "c", nextUntil: 5 }, "a", 5)).toBe(true);
  });

  it("a new holder counts the window its last holder left; after a lease that ran out, nothing is left to count", () => {
    expect(inheritedStarts(undefined, 7, 1000)).toEqual([]);
    expect(inheritedStarts({ leaseUntil: 0, starts: [600, -100, 100] }, 7, 1000)).toEqual([
      100, 600,
    ]);
    // Lease over: its holder started nothing in the last SPAN before its end.
    expect(inheritedStarts({ leaseUntil: 900, holder: "b" }, 2, 1000)).toEqual([
      1000 - SPAN,
      1000 - SPAN,
    ]);
    // Still leased (only its own holder may claim it): the whole share waits for the lease.
    expect(inheritedStarts({ leaseUntil: 5000, holder: "a" }, 2, 1000)).toEqual([
      5000 - SPAN,
      5000 - SPAN,
    ]);
  });

  it("a release writes the starts that may still count, and none while one is pending", () => {
    expect(releasedStarts([100, 900, 1500], 2000)).toEqual([1500]);
    expect(releasedStarts([1500, PENDING], 2000)).toBeUndefined();
    expect(leaseFor(1000, 30_000)).toEqual({
      until: 31_000 - FINISH_MS,
      leaseUntil: 31_000 + LEASE_MARGIN_MS,
    });
    expect(leaseFor(1000, 1000).until).toBe(1000);
    expect(LEASE_MARGIN_MS).toBeGreaterThanOrEqual(SPAN);
  });
});

describe("a sender holding a slot", () => {
  it("paces to the slot's share from the window it carries, and gives back at once a send whose turn would come after its last start", async () => {
    const clock = fakeClock(0, lcg(7));
    const starts: number[] = [];
    const sender = createSender(
      {
        send: async (_e, leaves) => {
          starts.push(clock.now());
          leaves?.();
          return "id";
        },
      },
      { rate: () => 50, now: clock.now, sleep: clock.sleep },
    );
    const email = { to: "a@example.com", subject: "", html: "", text: "" };
    // The slot's last holder started at 0 and 600; the share is 2; no start after 2000.
    sender.hold({ share: 2, starts: [0, 600], until: 2000 });
    const outcomes: string[] = [];
    const at: number[] = [];
    const run = Promise.all(
      [1, 2, 3].map(() =>
        sender.send(email).then(
          () => outcomes.push("sent"),
          (e: Error) => {
            outcomes.push(e.name);
            at.push(clock.now());
          },
        ),
      ),
    );
    await clock.run(run);
    // As soon as the carried starts age out of the window (1020, 1620): a holder plans four
    // times as fast as its share (600 + 1020 / 8 is earlier); the third's turn (2040) is
    // past 2000.
    expect(starts).toEqual([SPAN, 600 + SPAN]);
    expect(outcomes.sort()).toEqual(["NoSendSlotError", "sent", "sent"]);
    expect(at).toEqual([0]);
    sender.hold(null);
    await expect(sender.send(email)).rejects.toBeInstanceOf(NoSendSlotError);
  });
});

describe("dispatch's claim cap", () => {
  it.each([
    [14, 2, 14],
    [15, 2, 15],
    [1, 2, 1],
    [43, 3, 43],
  ])(
    "at R = %d over %d slots, the senders' rate is the sum of the shares, %d",
    (rate, senders, sum) => {
      const leaseMs = 900_000;
      expect(claimBudget({ accountRate: rate, senders, leaseMs, backlog: 0 })).toBe(
        Math.floor(sum * (leaseMs / 1000) * LEASE_SHARE),
      );
      expect(claimBudget({ accountRate: rate, senders, leaseMs, backlog: 100 })).toBe(
        Math.max(0, Math.floor(sum * (leaseMs / 1000) * LEASE_SHARE) - 100),
      );
    },
  );
});

describe("send-function instances sharing send slots, on a fake clock", () => {
  it("never start more than R in any 1-second window: more instances than slots at once, coming and going, dying mid-batch, leases running out, R from 1 to 40", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rate: fc.integer({ min: 1, max: 40 }),
          slots: fc.integer({ min: 1, max: 3 }),
          extra: fc.integer({ min: 0, max: 3 }),
          batch: fc.integer({ min: 1, max: 10 }),
          sendMs: fc.integer({ min: 1, max: 150 }),
          lookMs: fc.integer({ min: 0, max: 40 }),
          lateMs: fc.integer({ min: 0, max: 15 }),
          dbMs: fc.integer({ min: 0, max: 40 }),
          gapMs: fc.integer({ min: 0, max: 300 }),
          remainingMs: fc.integer({ min: 4000, max: 9000 }),
          crash: fc.constantFrom(0, 0.1, 0.3),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
        }),
        async (p) => {
          const random = lcg(p.seed);
          const clock = fakeClock(p.lateMs, random);
          const jobs = p.rate * 6 + 5;
          const run = simulate({ ...p, jobs, concurrency: Infinity }, clock, random);
          await clock.run(run);
          const { starts } = await run;
          // Every job went out once (a dead instance's unsent jobs came back).
          expect(starts).toHaveLength(jobs);
          expect(busiest(starts)).toBeLessThanOrEqual(p.rate);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it("with DynamoDB-fast looks and claims, sustain >= 0.95 R while work waits: batches of 10 as SQS hands them to any of more instances than slots, at most one invocation per slot at once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({
            slots: fc.integer({ min: 1, max: 3 }),
            perSlot: fc.integer({ min: 1, max: 40 }),
            extra: fc.integer({ min: 1, max: 3 }),
            sendMs: fc.integer({ min: 1, max: 40 }),
            lookMs: fc.integer({ min: 0, max: 10 }),
            lateMs: fc.integer({ min: 0, max: 5 }),
            dbMs: fc.integer({ min: 0, max: 10 }),
            gapMs: fc.integer({ min: 0, max: 20 }),
            seed: fc.integer({ min: 1, max: 2 ** 30 }),
          })
          .chain((p) =>
            fc.record({ rate: fc.integer({ min: 1, max: p.slots * p.perSlot }) }).map((r) => ({
              ...p,
              ...r,
            })),
          ),
        async (p) => {
          const random = lcg(p.seed);
          const clock = fakeClock(p.lateMs, random);
          const jobs = Math.max(p.rate * 12, p.slots * 40) + 1;
          const run = simulate(
            {
              ...p,
              jobs,
              batch: 10,
              remainingMs: 30_000,
              crash: 0,
              concurrency: p.slots,
            },
            clock,
            random,
          );
          await clock.run(run);
          const { starts, drainedAt } = await run;
          expect(starts).toHaveLength(jobs);
          expect(busiest(starts)).toBeLessThanOrEqual(p.rate);
          const first = starts[0] as number;
          const waiting = starts.filter((t) => t <= drainedAt);
          const last = waiting.at(-1) as number;
          const sustained = (waiting.length - 1) / ((last - first) / 1000);
          expect(sustained).toBeGreaterThanOrEqual(0.95 * p.rate);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it.each([
    [14, 10],
    [15, 10],
    [1, 3],
    [80, 10],
  ])(
    "as deployed: R = %d on 2 slots, batches of %d, a third instance taking turns: never over R, >= 0.95 R",
    async (rate, batch) => {
      const random = lcg(rate);
      const clock = fakeClock(2, random);
      const jobs = Math.max(rate * 20, 20);
      const run = simulate(
        {
          rate,
          slots: 2,
          extra: 1,
          jobs,
          batch,
          sendMs: 30,
          lookMs: 5,
          dbMs: 5,
          gapMs: 10,
          remainingMs: 30_000,
          crash: 0,
          concurrency: 2,
        },
        clock,
        random,
      );
      await clock.run(run);
      const { starts, drainedAt } = await run;
      expect(busiest(starts)).toBeLessThanOrEqual(rate);
      const waiting = starts.filter((t) => t <= drainedAt);
      const span = ((waiting.at(-1) as number) - (waiting[0] as number)) / 1000;
      expect((waiting.length - 1) / span).toBeGreaterThanOrEqual(0.95 * rate);
    },
  );
});

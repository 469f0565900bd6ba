import { describe, expect, it } from "vitest";
import { admit, type BreakerRule, CLOSED, haltedFor, settle } from "../../functions/core/breaker";
import {
  GUARD_MS,
  leftAt,
  nextSlot,
  PENDING,
  perWindow,
  recordStart,
  SLOT_PACE,
  WINDOW_MS,
  waitFor,
} from "../../functions/core/send-window";
import {
  AccountRefusedError,
  RetryableSendError,
  SendingHaltedError,
} from "../../functions/funnel/errors";
import { createSender } from "../../functions/funnel/pace";
import { busiest, fakeClock } from "./fake-pacing";

const SPAN = WINDOW_MS + GUARD_MS;

describe("send window", () => {
  it.each([
    [[], 3, 0, 0],
    [[0, 100], 3, 150, 0],
    [[0, 100, 200], 3, 500, SPAN - 500],
    [[0, 100, 200], 3, SPAN, 0],
    [[0, 100, 200, 300], 3, 500, 100 + SPAN - 500],
    [[0], 0.5, 10, SPAN - 10],
  ])("waitFor(%j, rate %d, now %d) = %d", (starts, rate, now, expected) => {
    expect(waitFor(starts, rate, now)).toBe(expected);
  });

  it.each([
    // A held start that has not left counts as leaving any moment: the window waits for it.
    [[4000, PENDING, PENDING], 2, 5000, Number.POSITIVE_INFINITY],
    [[0, 100, PENDING], 3, 500, SPAN - 500],
    [[0, PENDING], 3, 50, 0],
  ])("waitFor(%j, rate %d, now %d) = %d, with pending starts", (starts, rate, now, expected) => {
    expect(waitFor(starts, rate, now)).toBe(expected);
  });

  it("a pending start is timed when it leaves, in order; one that never left frees its place", () => {
    let w = recordStart([0, 100], 3, PENDING);
    w = recordStart(w, 3, PENDING);
    expect(w).toEqual([100, PENDING, PENDING]);
    // The later one left first, at 300; the other at 250: the window is in order.
    w = leftAt(w, 3, 300);
    w = leftAt(w, 3, 250);
    expect(w).toEqual([100, 250, 300]);
    expect(leftAt(recordStart([100], 3, PENDING), 3)).toEqual([100]);
    expect(leftAt([100], 3, 400)).toEqual([100]);
  });

  it.each([
    [[], 3, 50, 50],
    // Evenly spaced after the last planned slot: SPAN / rate apart.
    [[0, 100], 3, 50, 100 + SPAN / 3],
    [[0, 100, 200], 3, 50, SPAN],
    [[0, 340, 680], 3, 700, SPAN],
    [[0, 100, 200], 3, 5000, 5000],
  ])("nextSlot(%j, rate %d, now %d) = %d", (planned, rate, now, expected) => {
    expect(nextSlot(planned, rate, now)).toBe(expected);
  });

  it.each([
    [[], 3, 50, 50],
    // A send slot's holder plans SLOT_PACE times as fast; the plan's window still holds it.
    [[0, 100], 3, 50, 100 + SPAN / (3 * SLOT_PACE)],
    [[0, 100, 200], 3, 50, SPAN],
    [[0, 340, 680], 3, 1100, 1100],
  ])("nextSlot(%j, rate %d, now %d, a slot's pace) = %d", (planned, rate, now, expected) => {
    expect(nextSlot(planned, rate, now, SLOT_PACE)).toBe(expected);
  });

  it("allows whole sends per window, at least one", () => {
    expect([perWindow(14), perWindow(7.9), perWindow(0.5), perWindow(Number.NaN)]).toEqual([
      14, 7, 1, 1,
    ]);
  });

  it.each([1, 7, 14, 50])(
    "at rate %d, a sender that always takes the next slot never has more than the rate in any second, and keeps 95 percent of it",
    (rate) => {
      let now = 0;
      let starts: number[] = [];
      const all: number[] = [];
      // Ragged arrivals: work shows up at odd moments, sometimes in bursts.
      for (let i = 0; i < rate * 60; i++) {
        now += i % 17 === 0 ? 3 : 0;
        now += waitFor(starts, rate, now);
        starts = recordStart(starts, rate, now);
        all.push(now);
      }
      expect(busiest(all)).toBeLessThanOrEqual(rate);
      const sustained = ((all.length - 1) / ((all.at(-1) as number) - (all[0] as number))) * 1000;
      expect(sustained).toBeGreaterThanOrEqual(0.95 * rate);
      // The window keeps no more than it needs.
      expect(starts.length).toBeLessThanOrEqual(rate);
    },
  );
});

describe("circuit breaker", () => {
  const rule: BreakerRule = { baseMs: 1000, maxMs: 8000 };
  const half = () => 0; // jitter at its lowest: half the ceiling

  it("halts everyone after an account-level refusal, doubling the wait up to the maximum", () => {
    let b = CLOSED;
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      const a = admit(b, rule, now);
      expect(a.ok).toBe(true);
      if (!a.ok) return;
      b = settle(a.breaker, rule, a.generation, "account", now, () => 1);
      waits.push(haltedFor(b, rule, now));
      now = b.openUntil;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("lets one probe through when the wait is over; others wait for its answer", () => {
    let b = settle(CLOSED, rule, 0, "account", 0, half);
    expect(admit(b, rule, 100)).toEqual({ ok: false, waitMs: b.openUntil - 100 });
    const probe = admit(b, rule, b.openUntil);
    expect(probe.ok).toBe(true);
    if (!probe.ok) return;
    b = probe.breaker;
    expect(admit(b, rule, b.openUntil + 1).ok).toBe(false);
    // SES accepts the probe: sending resumes for everyone.
    b = settle(b, rule, probe.generation, "accepted", b.openUntil + 5, half);
    expect(haltedFor(b, rule, b.openUntil + 5)).toBe(0);
    expect(b.refusals).toBe(0);
  });

  it("a probe that never answers is taken as lost after the base wait: the next send probes", () => {
    let b = settle(CLOSED, rule, 0, "account", 0, half);
    const stuck = admit(b, rule, b.openUntil);
    if (!stuck.ok) throw new Error("no probe");
    b = stuck.breaker;
    expect(admit(b, rule, b.openUntil + rule.baseMs - 1).ok).toBe(false);
    const next = admit(b, rule, b.openUntil + rule.baseMs);
    if (!next.ok) throw new Error("a hung probe halted sending for good");
    b = settle(
      next.breaker,
      rule,
      next.generation,
      "accepted",
      b.openUntil + rule.baseMs + 5,
      half,
    );
    expect(haltedFor(b, rule, b.openUntil + rule.baseMs + 5)).toBe(0);
    // The hung call answers at last: it says nothing about SES now.
    b = settle(b, rule, stuck.generation, "account", b.openUntil + 60_000, half);
    expect(b.refusals).toBe(0);
  });

  it("a send admitted before the breaker opened cannot close it", () => {
    const early = admit(CLOSED, rule, 0);
    const other = admit(CLOSED, rule, 0);
    if (!early.ok || !other.ok) throw new Error("closed breaker refused");
    let b = settle(CLOSED, rule, other.generation, "account", 10, half);
    b = settle(b, rule, early.generation, "accepted", 20, half);
    expect(haltedFor(b, rule, 20)).toBeGreaterThan(0);
  });

  it("a transient error on a probe leaves the next send to probe again; throttling closes it", () => {
    let b = settle(CLOSED, rule, 0, "account", 0, half);
    const p = admit(b, rule, b.openUntil);
    if (!p.ok) throw new Error("no probe");
    b = settle(p.breaker, rule, p.generation, "transient", b.openUntil, half);
    expect(admit(b, rule, b.openUntil).ok).toBe(true);
    b = settle(b, rule, b.generation, "throttled", b.openUntil, half);
    expect(b).toMatchObject({ refusals: 0, probeUntil: 0 });
  });
});

describe("sender", () => {
  it("concurrent deliveries whose looks take ragged times stay exact and near the rate", async () => {
    const time = fakeClock(0, () => 0);
    const starts: number[] = [];
    const rate = 14;
    const sender = createSender(
      {
        send: async (_email, leaves) => {
          starts.push(time.now());
          leaves?.();
          await time.sleep(80);
          return "id";
        },
      },
      { rate: () => rate, now: time.now, sleep: time.sleep },
    );
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const email = { to: "a@example.com", subject: "", html: "", text: "" };
    // Eight workers, as the local queue runs them, each delivering one job after another.
    const worker = async () => {
      for (let i = 0; i < 60; i++) {
        await sender.deliver(
          async () => {
            // A read that usually takes a few ms and sometimes 150.
            await time.sleep(random() < 0.1 ? 150 : 2 + random() * 8);
            return "sub";
          },
          () => email,
        );
      }
    };
    await time.run(Promise.all(Array.from({ length: 8 }, worker)));
    expect(starts).toHaveLength(480);
    expect(busiest(starts)).toBeLessThanOrEqual(rate);
    const sustained =
      ((starts.length - 1) / ((starts.at(-1) as number) - (starts[0] as number))) * 1000;
    expect(sustained).toBeGreaterThanOrEqual(0.95 * rate);
  });

  const email = { to: "ana@example.com", subject: "s", html: "", text: "" };
  const sesError = (name: string, status: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  /** A sender on a fake clock whose sleeps move the clock. */
  function fake(outcomes: (() => Promise<string>)[]) {
    let now = 0;
    const starts: number[] = [];
    let calls = 0;
    const sender = createSender(
      {
        send: (_email, leaves) => {
          starts.push(now);
          leaves?.();
          const next = outcomes[Math.min(calls, outcomes.length - 1)] as () => Promise<string>;
          calls++;
          return next();
        },
      },
      {
        rate: () => 5,
        halt: { baseMs: 1000, maxMs: 4000 },
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
        random: () => 1,
      },
    );
    return { sender, starts, calls: () => calls, advance: (ms: number) => (now += ms) };
  }

  it("an account-level refusal halts every later send without calling SES, until a probe is accepted", async () => {
    const ok = async () => "id";
    const paused = async () => {
      throw sesError("SendingPausedException", 400);
    };
    const f = fake([paused, ok]);
    await expect(f.sender.send(email)).rejects.toBeInstanceOf(AccountRefusedError);
    for (let i = 0; i < 20; i++) {
      await expect(f.sender.send(email)).rejects.toBeInstanceOf(SendingHaltedError);
    }
    expect(f.calls()).toBe(1);
    f.advance(1000);
    await expect(f.sender.send(email)).resolves.toBe("id");
    await expect(f.sender.send(email)).resolves.toBe("id");
    expect(f.calls()).toBe(3);
  });

  it("a recipient-level refusal halts nobody; throttling is retryable and halts nobody", async () => {
    const f = fake([
      async () => {
        throw sesError("MessageRejected", 400);
      },
      async () => {
        throw sesError("TooManyRequestsException", 429);
      },
      async () => "id",
    ]);
    const refused = await f.sender.deliver(
      async () => "sub",
      () => email,
    );
    expect(refused).toMatchObject({ kind: "refused", reason: "MessageRejected" });
    await expect(f.sender.send(email)).rejects.toBeInstanceOf(RetryableSendError);
    await expect(f.sender.send(email)).resolves.toBe("id");
  });

  it("looks after pacing: a look that finds nothing sends nothing", async () => {
    const f = fake([async () => "id"]);
    const skipped = await f.sender.deliver(
      async () => undefined,
      () => email,
    );
    expect(skipped).toEqual({ kind: "skipped" });
    expect(f.calls()).toBe(0);
  });

  it("the look is the last step before SES: nothing waits between a look and its call", async () => {
    // A virtual clock whose sleepers wake in time order, so concurrent sends see one timeline.
    let now = 0;
    const sleepers: { at: number; wake: () => void }[] = [];
    const sleep = (ms: number) =>
      new Promise<void>((wake) => {
        sleepers.push({ at: now + ms, wake });
      });
    const starts: number[] = [];
    const sender = createSender(
      {
        send: async (_email, leaves) => {
          starts.push(now);
          leaves?.();
          return "id";
        },
      },
      { rate: () => 5, now: () => now, sleep, random: () => 1 },
    );
    const gaps: number[] = [];
    let looks = 0;
    const all = Promise.all(
      Array.from({ length: 30 }, async () => {
        let lookedAt = -1;
        const out = await sender.deliver(
          async () => {
            // Ragged reads: 2 ms, then 40 ms, as a table's latency varies.
            await sleep(looks++ % 2 === 0 ? 2 : 40);
            lookedAt = now;
            return email;
          },
          (e) => e,
        );
        if (out.kind === "sent") gaps.push((starts.at(-1) as number) - lookedAt);
      }),
    );
    let done = false;
    all.then(() => {
      done = true;
    });
    while (!done) {
      await new Promise((r) => setImmediate(r));
      sleepers.sort((x, y) => x.at - y.at);
      const next = sleepers.shift();
      if (!next) continue;
      now = Math.max(now, next.at);
      next.wake();
    }
    expect(gaps).toHaveLength(30);
    expect(Math.max(...gaps)).toBe(0);
    expect(busiest(starts)).toBeLessThanOrEqual(5);
  });

  it("concurrent deliveries never exceed the rate in any second", async () => {
    const f = fake([async () => "id"]);
    await Promise.all(Array.from({ length: 40 }, () => f.sender.send(email)));
    expect(f.starts).toHaveLength(40);
    expect(busiest(f.starts)).toBeLessThanOrEqual(5);
  });
});

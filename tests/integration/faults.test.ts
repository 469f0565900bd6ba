import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { confirm, sidFor, subscribe, unsubscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { injectFaults, type Races } from "./faults";
import { inbox } from "./inbox";

/** `npm test` runs a few hundred; `npm run test:faults` runs thousands. */
const SUBSCRIBERS = Number(process.env.FAULT_SUBSCRIBERS ?? 300);
const SEED = Number(process.env.FAULT_SEED ?? 20261127);
const UNSUBSCRIBE_SHARE = 0.05;

let stack: LocalStack;
let faults: ReturnType<typeof injectFaults>;
const clock = new ManualClock();

beforeAll(async () => {
  stack = await startLocalStack({
    clock,
    logger: silentLogger,
    maxSendRate: 100_000,
    queue: { concurrency: 16, baseDelayMs: 2, maxAttempts: 8 },
    halt: { baseMs: 20, maxMs: 200 },
    clients: (c) => {
      faults = injectFaults(c, SEED, races);
    },
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

/** Who left, and how many emails they had when they did. */
const leavers = new Map<string, number>();
const emailOf = new Map<string, string>();
const LEASE_MS = 60_000;

/** Polls until `ok` holds (or gives up after `ms`: the race then simply did not play out). */
async function until(ok: () => boolean | Promise<boolean>, ms = 5000) {
  for (const end = performance.now() + ms; performance.now() < end; ) {
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

/** Unsubscribes `sid` now, from inside a call in flight (queued, or about to look). */
async function leave(sid: string) {
  const email = emailOf.get(sid);
  if (!email || leavers.has(email)) return;
  leavers.set(email, faults.accepted.filter((m) => m.to === email).length);
  await retry(() => unsubscribe(stack.deps, sid));
}

const races: Races = {
  claimed: leave,
  looking: leave,
  /**
   * SES accepted lesson k and answers slowly. Meanwhile its lease runs out: another dispatch
   * claims it and sends k again (a duplicate after SES accepted), then lesson k+1 falls due and
   * is sent and recorded too. Only then does the slow call return: its advance must not land.
   */
  async slowAccept(to) {
    const sid = [...emailOf].find(([, e]) => e === to)?.[0];
    if (!sid) return;
    const get = () => stack.deps.store.get(sid).catch(() => undefined);
    // Time jumps only while this is the one send in flight, so no other lease runs out in it.
    if (!(await until(() => stack.queueSize() <= 1))) return;
    const a = await get();
    if (a?.status !== "active" || !a.lease || !a.nextId) return;
    const k = a.nextId;
    clock.advance(LEASE_MS + 1);
    await stack.dispatch().catch(() => undefined);
    await until(async () => (await get())?.received?.includes(k) === true);
    const b = await get();
    if (b?.status !== "active" || !b.nextId || !b.dueAt || b.lease) return;
    const next = b.nextId;
    if (!(await until(() => stack.queueSize() <= 1))) return;
    clock.advance(Math.max(0, Date.parse(b.dueAt) - clock.now()) + 1);
    await stack.dispatch().catch(() => undefined);
    await until(async () => (await get())?.received?.includes(next) === true);
  },
};

/** Retries what a person or a scheduler would simply try again. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i > 50) throw e;
    }
  }
}

describe("sending under injected faults", () => {
  it(
    `delivers every lesson to ${SUBSCRIBERS} subscribers in order, duplicates only after SES accepted`,
    async () => {
      const started = performance.now();
      const deps = stack.deps;
      const emails = Array.from({ length: SUBSCRIBERS }, (_, i) => `s${i}@example.com`);
      for (const email of emails) emailOf.set(sidFor(deps, email), email);
      for (let i = 0; i < emails.length; i += 50) {
        await Promise.all(
          emails.slice(i, i + 50).map((email) =>
            subscribe(deps, {
              email,
              firstName: "",
              timeZone: "UTC",
              consent: { form: "test", textVersion: "1" },
            }),
          ),
        );
      }
      // Confirmations travel the send queue: they go out before the count starts.
      await stack.drain();
      await fetch(`${stack.inboxUrl}/clear-store`, { method: "POST" });
      faults.accepted.length = 0;

      faults.enable();
      for (let i = 0; i < emails.length; i += 50) {
        await Promise.all(
          emails.slice(i, i + 50).map((email) => retry(() => confirm(deps, sidFor(deps, email)))),
        );
      }
      // The welcome emails kicked off by confirming finish before the clock jumps ahead; a
      // jump of hours while they are in flight would outrun their one-minute leases.
      await stack.drain();
      const toLeave = emails.filter((_, i) => i % Math.round(1 / UNSUBSCRIBE_SHARE) === 3);
      const totalDays = stack.course.lessons.reduce((d, l) => d + l.delayDays, 0);
      const step = 0.25;
      // Refusals start a little before the first lesson falls due and last over a day.
      const refuseFrom = (stack.course.lessons[0]?.delayDays ?? 1) - 0.25;
      for (let t = 0, tick = 0; t < totalDays + 3; t += step, tick++) {
        clock.advance(step * DAY_MS);
        // A stretch of account-level refusals (sending paused) over a day of ticks.
        faults.refuseAccount(t >= refuseFrom && t < refuseFrom + 1.25);
        await stack.tick().catch(() => undefined);
        // Between ticks, with nothing in flight, some people leave; the inbox count is then frozen.
        const leaving = toLeave.filter((_, i) => i % 40 === tick % 40 && !leavers.has(_));
        for (const email of leaving) {
          await retry(() => unsubscribe(deps, sidFor(deps, email)));
          leavers.set(email, faults.accepted.filter((m) => m.to === email).length);
        }
      }
      faults.enable(false);
      const elapsed = (performance.now() - started) / 1000;

      const mail = faults.accepted;
      const byRecipient = new Map<string, string[]>();
      for (const m of mail) {
        const list = byRecipient.get(m.to) ?? [];
        list.push(m.subject);
        byRecipient.set(m.to, list);
      }
      // What the SDK saw accepted is what reached the inbox.
      const sample = emails[0] as string;
      expect((await inbox(stack.inboxUrl, sample)).map((m) => m.subject)).toEqual(
        byRecipient.get(sample),
      );
      const sequence = [
        stack.course.welcome.subject,
        ...stack.course.lessons.map((l) => l.subject),
      ];
      let duplicates = 0;
      let stuck = 0;
      let mailedAfterLeaving = 0;
      let skipped = 0;
      for (const email of emails) {
        const got = byRecipient.get(email) ?? [];
        duplicates += got.length - new Set(got).size;
        const firstSeen = [...new Set(got)];
        const left = leavers.get(email);
        if (left !== undefined) {
          if (got.length > left) mailedAfterLeaving++;
          expect(firstSeen).toEqual(sequence.slice(0, firstSeen.length));
          continue;
        }
        expect(firstSeen, email).toEqual(sequence);
        const sub = await stack.deps.store.get(sidFor(deps, email));
        // No recipient was refused: nobody may have been moved past an email (the account-level
        // refusals must skip nobody).
        skipped += sub?.failures?.length ?? 0;
        // Completed and parked for appended lessons: outside the scheduler's shards, no lease.
        const parked = sub?.dueShard?.startsWith("done-") && sub.lease === undefined;
        if (sub?.status !== "completed" || !parked || sub.nextId !== undefined) stuck++;
      }
      const report = {
        subscribers: SUBSCRIBERS,
        unsubscribed: leavers.size,
        seed: SEED,
        faults: faults.counts(),
        faultsTotal: faults.total(),
        faultsAfterAccept: faults.afterAccept(),
        emailsSent: mail.length,
        duplicates,
        stuck,
        mailedAfterLeaving,
        skippedByRefusals: skipped,
        seconds: Number(elapsed.toFixed(1)),
      };
      console.log(`fault injection: ${JSON.stringify(report)}`);
      expect(faults.total()).toBeGreaterThan(SUBSCRIBERS / 10);
      // Every race was played out at least once, so each can fail the test.
      for (const kind of [
        "lease ran out during a slow SES call",
        "unsubscribed while queued",
        "unsubscribed while waiting for pacing",
        "account-level refusal",
      ]) {
        expect(faults.counts()[kind], kind).toBeGreaterThan(0);
      }
      expect(stuck).toBe(0);
      expect(skipped).toBe(0);
      expect(mailedAfterLeaving).toBe(0);
      expect(duplicates).toBeLessThanOrEqual(faults.afterAccept());
    },
    600_000 + SUBSCRIBERS * 1000,
  );
});

import { silentLogger } from "../../functions/core/ports";
import { claimable, type SlotRecord } from "../../functions/core/send-slots";
import { NoSendSlotError } from "../../functions/funnel/errors";
import { createSender } from "../../functions/funnel/pace";
import { type SlotTable, sendSlots } from "../../functions/funnel/send-slots";
import type { fakeClock } from "./fake-pacing";

/**
 * Send-function instances sharing send slots, on a fake clock: the slot rules, the slot
 * orchestration and the paced sender are the real ones; only the table is kept in memory here
 * (each call atomic at the moment it arrives, after a random latency), with the condition the
 * DynamoDB adapter writes (`claimable`). The adapter itself is tested against dynalite.
 */

type Clock = ReturnType<typeof fakeClock>;

export function memoryTable(clock: Clock, dbMs: number, random: () => number) {
  const items = new Map<number, SlotRecord>();
  const trip = () => clock.sleep((dbMs * random()) / 2);
  const table: SlotTable = {
    async claim(index, me, leaseUntil, now) {
      await trip();
      const before = items.get(index);
      const ok = claimable(before, me, now);
      if (ok) items.set(index, { holder: me, leaseUntil, starts: before?.starts });
      await trip();
      return ok ? before && { ...before } : false;
    },
    async release(index, me, leaseUntil, starts) {
      await trip();
      const item = items.get(index);
      if (item?.holder === me && item.leaseUntil === leaseUntil) {
        items.set(index, { ...item, leaseUntil: 0, starts: [...starts] });
      }
      await trip();
    },
    async mark(index, me, until, now) {
      await trip();
      const item = items.get(index) ?? { leaseUntil: 0 };
      if (item.nextUntil === undefined || item.nextUntil <= now || item.next === me) {
        items.set(index, { ...item, next: me, nextUntil: until });
      }
      await trip();
    },
  };
  return { table, items };
}

export interface SimOptions {
  rate: number;
  slots: number;
  /** Instances at once beyond the slots (each may be invoked when SQS allows). */
  extra: number;
  jobs: number;
  batch: number;
  sendMs: number;
  lookMs: number;
  dbMs: number;
  /** SQS's pause before it invokes an instance again. */
  gapMs: number;
  /** Lambda's time left at an invocation's start. */
  remainingMs: number;
  /** Chance that an invocation's instance dies mid-batch (no release, nothing more leaves). */
  crash: number;
  /** Invocations at once (SQS's maximum concurrency); Infinity: every instance at once. */
  concurrency: number;
}

/**
 * Runs `jobs` sends through instances that come and go: each invocation claims a slot, sends a
 * batch at once and releases it; an instance retires now and then (a new one takes its place),
 * and may die mid-batch. Jobs not sent (no slot, lease over, died) go back to the queue.
 * Returns every start, in the order their requests left, and when the queue last ran empty.
 */
export async function simulate(o: SimOptions, clock: Clock, random: () => number) {
  const { table } = memoryTable(clock, o.dbMs, random);
  const starts: number[] = [];
  let queued = o.jobs;
  let sent = 0;
  let running = 0;
  let made = 0;
  /** When the queue last ran empty: work waited from the start until then. */
  let drainedAt = 0;
  const email = { to: "a@example.com", subject: "", html: "", text: "" };

  const instance = () => {
    const me = `i${made++}`;
    let dead = false;
    const sender = createSender(
      {
        send: async (_email, leaves) => {
          if (dead) throw new Error("the instance is gone");
          starts.push(clock.now());
          leaves?.();
          await clock.sleep(o.sendMs * (0.5 + random()));
          return "id";
        },
      },
      { rate: () => o.rate, now: clock.now, sleep: clock.sleep },
    );
    sender.hold(null);
    const slots = sendSlots(table, sender, {
      slots: o.slots,
      rate: () => o.rate,
      me,
      logger: silentLogger,
      now: clock.now,
      sleep: clock.sleep,
      random,
    });
    /** One invocation; false when the instance died in it. */
    const invoke = async () => {
      const jobs = Math.min(o.batch, queued);
      queued -= jobs;
      if (queued === 0) drainedAt = clock.now();
      const hold = await slots.claim(o.remainingMs);
      const dies = random() < o.crash;
      if (dies) void clock.sleep(random() * 1500).then(() => (dead = true));
      await Promise.all(
        Array.from({ length: jobs }, async () => {
          try {
            const out = await sender.deliver(
              async () => {
                await clock.sleep(o.lookMs * random());
                return "sub";
              },
              () => email,
            );
            if (out.kind === "sent") sent++;
            else queued++;
          } catch (e) {
            if (!(e instanceof NoSendSlotError) && !dead) throw e;
            queued++;
          }
        }),
      );
      if (dies) {
        dead = true;
        return false;
      }
      await hold.release();
      return true;
    };
    return { invoke };
  };

  // SQS: while jobs wait, an idle instance gets a batch when concurrency allows.
  const idle = Array.from({ length: o.slots + o.extra }, instance);
  const worker = async () => {
    while (sent < o.jobs) {
      if (queued === 0 || running >= o.concurrency || idle.length === 0) {
        await clock.sleep(20);
        continue;
      }
      const [inst] = idle.splice(Math.floor(random() * idle.length), 1);
      if (!inst) continue;
      running++;
      const alive = await inst.invoke();
      running--;
      // A dead or retired instance is replaced by a new, cold one.
      idle.push(alive && random() > 0.1 ? inst : instance());
      await clock.sleep(o.gapMs * random());
    }
  };
  await Promise.all(Array.from({ length: o.slots + o.extra }, worker));
  return { starts, drainedAt };
}

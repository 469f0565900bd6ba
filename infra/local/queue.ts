import type { JobQueue, Logger, SendJob } from "../../functions/core/ports";
import { isUrgent } from "../../functions/funnel/jobs";

export interface LocalQueueOptions {
  concurrency: number;
  /** First retry delay; doubles per attempt, with full jitter. */
  baseDelayMs: number;
  maxAttempts: number;
  logger: Logger;
}

/**
 * The in-process stand-in for SQS + the send Lambda's event source: a bounded pool of workers;
 * a failed job is retried with exponential backoff and full jitter, as SQS redelivers any
 * message that was not deleted. A job that runs out of attempts is dropped; its claim's lease
 * runs out and the dispatcher picks it up again.
 */
export function createLocalQueue(
  handler: (job: SendJob) => Promise<unknown>,
  opts: LocalQueueOptions,
) {
  type Item = { job: SendJob; attempt: number };
  const urgent: Item[] = [];
  const normal: Item[] = [];
  const push = (item: Item) => (isUrgent(item.job) ? urgent : normal).push(item);
  const waiting = () => urgent.length + normal.length;
  let running = 0;
  let timers = 0;
  let idle: (() => void)[] = [];
  let stopped = false;
  const stopping: (() => void)[] = [];

  const settle = () => {
    if (running === 0 && waiting() === 0 && timers === 0) {
      for (const f of idle) f();
      idle = [];
    }
  };

  const pump = () => {
    while (!stopped && running < opts.concurrency && waiting() > 0) {
      const item = (urgent.shift() ?? normal.shift()) as Item;
      running++;
      handler(item.job)
        .catch((error) => {
          if (item.attempt + 1 < opts.maxAttempts && !stopped) {
            // A halted sender knows when trying again makes sense; otherwise jittered backoff.
            const halt = Number((error as { retryInMs?: number })?.retryInMs) || 0;
            const delay = Math.max(halt, Math.random() * opts.baseDelayMs * 2 ** item.attempt);
            timers++;
            setTimeout(() => {
              timers--;
              push({ job: item.job, attempt: item.attempt + 1 });
              pump();
              settle();
            }, delay).unref();
          } else {
            opts.logger.error("send job failed", {
              kind: item.job.kind,
              error: (error as Error)?.name,
            });
          }
        })
        .finally(() => {
          running--;
          if (stopped && running === 0) for (const f of stopping.splice(0)) f();
          pump();
          settle();
        });
    }
  };

  const queue: JobQueue & {
    drain(): Promise<void>;
    stop(graceMs?: number): Promise<void>;
    size(): number;
  } = {
    async enqueue(jobs) {
      for (const job of jobs) push({ job, attempt: 0 });
      pump();
    },
    /** Resolves when nothing is waiting, running or scheduled for retry. */
    drain() {
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        settle();
      });
    },
    /**
     * Takes no more jobs, drops those waiting, and resolves once the running ones finished
     * (at most `graceMs`): a job still writing when the table closes would fail in the table.
     */
    stop(graceMs = 5000) {
      stopped = true;
      urgent.length = 0;
      normal.length = 0;
      if (running === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        stopping.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    size: () => waiting() + running + timers,
  };
  return queue;
}

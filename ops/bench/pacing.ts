import { silentLogger } from "../../functions/core/ports";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { startLocalStack } from "../../infra/local/stack";
import type { BenchMeasure, BenchRow } from "./row";

/** The rate the bench paces to, and how much work it queues at once. */
const RATE = 50;
const PEOPLE = 400;

/** The most starts in any half-open 1-second window. */
function busiest(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/**
 * Pacing on the local stack: every confirmation and welcome email goes through the one
 * sender, timed as each request leaves the SES client. Reports the busiest 1-second window and
 * the rate sustained while work was queued, each beside the configured rate R.
 */
export const measure: BenchMeasure = async () => {
  const sentAt: number[] = [];
  const stack = await startLocalStack({
    clock: new ManualClock(),
    logger: silentLogger,
    maxSendRate: RATE,
    // Enough workers that the rate, not the round trips of each job, is what limits sending.
    queue: { concurrency: 32 },
    clients: ({ ses }) => {
      ses.middlewareStack.add(
        (next) => async (args) => {
          sentAt.push(performance.now());
          return next(args);
        },
        { step: "initialize", name: "benchSends" },
      );
    },
  });
  try {
    const deps = stack.deps;
    const emails = Array.from({ length: PEOPLE }, (_, i) => `bench${i}@example.com`);
    // Confirmations (sent while each signup waits) and welcome emails (queued at once) share
    // the one rate budget.
    await Promise.all(
      emails.map((email) =>
        subscribe(deps, {
          email,
          firstName: "",
          timeZone: "UTC",
          consent: { form: "bench", textVersion: "1" },
        }),
      ),
    );
    const welcomeFrom = sentAt.length;
    await Promise.all(emails.map((email) => confirm(deps, sidFor(deps, email))));
    await stack.drain();
    const welcomes = sentAt.slice(welcomeFrom).sort((a, b) => a - b);
    const span = ((welcomes.at(-1) as number) - (welcomes[0] as number)) / 1000;
    const sustained = (welcomes.length - 1) / span;
    const most = busiest(sentAt);
    const rows: BenchRow[] = [
      {
        measure: `busiest 1-second window of sends, local stack, R = ${RATE}/s`,
        project: most,
        baseline: RATE,
        ratio: most / RATE,
        goal: "<= 1.0x R",
        met: most <= RATE,
        unit: "sends",
      },
      {
        measure: `sustained send rate with ${PEOPLE} emails queued, R = ${RATE}/s`,
        project: Number(sustained.toFixed(2)),
        baseline: RATE,
        ratio: sustained / RATE,
        goal: ">= 0.95x R",
        met: sustained >= 0.95 * RATE,
        unit: "sends/s",
      },
    ];
    return rows;
  } finally {
    await stack.stop();
  }
};

export default measure;

import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

const RATE = 40;
const SUBSCRIBERS = 160;
let stack: LocalStack;
const sentAt: number[] = [];
let watching = false;

beforeAll(async () => {
  stack = await startLocalStack({
    clock: new ManualClock(),
    logger: silentLogger,
    maxSendRate: RATE,
    queue: { concurrency: 16 },
    clients: ({ ses }) => {
      ses.middlewareStack.add(
        (next) => async (args) => {
          // The moment the request leaves: what SES would count.
          if (watching) sentAt.push(performance.now());
          return next(args);
        },
        { step: "initialize", name: "watchSends" },
      );
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

it(`never starts more than the configured rate (${RATE}/s) of sends in any 1-second window`, async () => {
  const deps = stack.deps;
  const emails = Array.from({ length: SUBSCRIBERS }, (_, i) => `r${i}@example.com`);
  await Promise.all(
    emails.map((email) =>
      subscribe(deps, {
        email,
        firstName: "",
        timeZone: "UTC",
        consent: { form: "test", textVersion: "1" },
      }),
    ),
  );
  // The queued confirmations go first; then every welcome email is claimed and queued at once,
  // and the sender must pace them.
  await stack.drain();
  watching = true;
  await Promise.all(emails.map((email) => confirm(deps, sidFor(deps, email))));
  await stack.drain();

  expect(sentAt).toHaveLength(SUBSCRIBERS);
  sentAt.sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < sentAt.length; i++) {
    while ((sentAt[i] as number) - (sentAt[j] as number) >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const seconds = ((sentAt.at(-1) as number) - (sentAt[0] as number)) / 1000;
  const achieved = (SUBSCRIBERS - 1) / seconds;
  console.log(
    `send rate: limit ${RATE}/s, achieved ${achieved.toFixed(1)}/s, busiest second ${busiest}`,
  );
  // Exact: no 1-second window, wherever it falls, holds more than RATE starts.
  expect(busiest).toBeLessThanOrEqual(RATE);
  // How close to the limit it runs is a timed figure: `npm run bench` measures it (ops/bench/pacing.ts).
}, 120_000);

import { expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { createLocalQueue } from "../../infra/local/queue";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const options = { concurrency: 2, baseDelayMs: 1, maxAttempts: 3, logger: silentLogger };

it("stopping waits for the running jobs, so none writes to a table closed under it", async () => {
  let finished = 0;
  const queue = createLocalQueue(async () => {
    await pause(100);
    finished++;
  }, options);
  await queue.enqueue([
    { kind: "confirm", sid: "a" },
    { kind: "confirm", sid: "b" },
    { kind: "confirm", sid: "c" },
  ]);
  await queue.stop();
  // The two running finished; the waiting third was dropped.
  expect(finished).toBe(2);
});

it("a job that never ends holds the stop for its grace period only", async () => {
  const queue = createLocalQueue(() => new Promise(() => {}), options);
  await queue.enqueue([{ kind: "confirm", sid: "a" }]);
  const started = performance.now();
  await queue.stop(50);
  expect(performance.now() - started).toBeLessThan(1000);
});

import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox } from "./inbox";
import { ripeStamp } from "./stamp";

let stack: LocalStack;
let throttled = 0;
let outage = true;

beforeAll(async () => {
  stack = await startLocalStack({
    clock: new ManualClock(),
    logger: silentLogger,
    queue: { baseDelayMs: 20, maxAttempts: 20 },
    clients: ({ ses }) => {
      // SES answers every send with throttling, as it does when the account's rate is exceeded.
      ses.middlewareStack.add(
        (next) => async (args) => {
          if (!outage) return next(args);
          throttled++;
          throw Object.assign(new Error("Maximum sending rate exceeded."), {
            name: "TooManyRequestsException",
            $metadata: { httpStatusCode: 429 },
          });
        },
        { step: "initialize", name: "throttleEverything" },
      );
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

it("a signup during an SES outage is answered at once; the queued confirmation goes when SES is back", async () => {
  const json = await stack.app.request("/api/subscribe", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "wait@example.com", stamp: ripeStamp(stack.deps) }),
  });
  expect(json.status).toBe(202);
  const form = await stack.app.request("/api/subscribe", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `email=form%40example.com&stamp=${ripeStamp(stack.deps)}`,
  });
  expect(form.status).toBe(303);
  await new Promise((r) => setTimeout(r, 300));
  expect(throttled).toBeGreaterThanOrEqual(2);
  outage = false;
  await stack.drain();
  // The throttle's place given back on each failed try: exactly one confirmation each.
  expect(await inbox(stack.inboxUrl, "wait@example.com")).toHaveLength(1);
  expect(await inbox(stack.inboxUrl, "form@example.com")).toHaveLength(1);
});

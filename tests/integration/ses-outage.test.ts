import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

let stack: LocalStack;
let throttled = 0;

beforeAll(async () => {
  stack = await startLocalStack({
    clock: new ManualClock(),
    logger: silentLogger,
    clients: ({ ses }) => {
      // SES answers every send with throttling, as it does when the account's rate is exceeded.
      ses.middlewareStack.add(
        () => async () => {
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

it("retries a throttled confirmation a few times, then answers 503 with Retry-After, never 500", async () => {
  const json = await stack.app.request("/api/subscribe", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "wait@example.com" }),
  });
  expect(json.status).toBe(503);
  expect(json.headers.get("retry-after")).toBe("600");
  expect(await json.json()).toMatchObject({ error: expect.stringMatching(/try again/) });
  expect(throttled).toBe(3);

  const form = await stack.app.request("/api/subscribe", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "email=form%40example.com",
  });
  expect(form.status).toBe(503);
  expect(await form.text()).toContain("try again");
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn } from "./inbox";

const OWNER = "clara@yogaforhealthyhips.com";
const RATE = 20;
const BACKLOG = 80;

let stack: LocalStack;
const clock = new ManualClock();
/** Every SES call in order: who it went to. */
const sent: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    clock,
    logger: silentLogger,
    maxSendRate: RATE,
    queue: { concurrency: 8 },
    signupRateLimit: "off",
    clients: ({ ses }) => {
      ses.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { Destination?: { ToAddresses?: string[] } };
          sent.push(input.Destination?.ToAddresses?.[0] ?? "");
          return next(args);
        },
        { step: "initialize", priority: "high", name: "order" },
      );
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const login = () =>
  fetch(`${stack.siteUrl}/admin/login`, {
    method: "POST",
    headers: { origin: stack.siteUrl, "content-type": "application/x-www-form-urlencoded" },
    body: `email=${OWNER}`,
  });

describe("an owner's sign-in link behind a backlog", () => {
  it("goes ahead of the queued emails, through the same paced sender, and its link works", async () => {
    // Four seconds of confirmations at the rate wait in the queue.
    await Promise.all(
      Array.from({ length: BACKLOG }, (_, i) =>
        subscribe(stack.deps, {
          email: `queued${i}@example.com`,
          firstName: "",
          timeZone: "UTC",
          consent: { form: "test", textVersion: "1" },
        }),
      ),
    );
    expect(stack.queueSize()).toBeGreaterThan(BACKLOG / 2);
    const before = sent.length;
    expect((await login()).status).toBe(200);
    await stack.drain();

    const at = sent.indexOf(OWNER);
    expect(at).toBeGreaterThanOrEqual(0);
    // Only the jobs the send workers already held went first (8 workers), never the backlog.
    expect(at - before).toBeLessThanOrEqual(8 + 2);
    expect(sent.length - at).toBeGreaterThan(BACKLOG / 2);

    const mail = await inbox(stack.inboxUrl, OWNER);
    const t = new URL(
      linkIn(mail.at(-1)?.body.html ?? "", `${stack.siteUrl}/admin/login?t=`),
    ).searchParams.get("t");
    const done = await fetch(`${stack.siteUrl}/admin/login/complete`, {
      method: "POST",
      headers: { origin: stack.siteUrl, "content-type": "application/x-www-form-urlencoded" },
      body: `t=${t}`,
      redirect: "manual",
    });
    expect(done.status).toBe(303);
  });
});

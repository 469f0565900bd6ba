import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox } from "./inbox";

let stack: LocalStack;
const clock = new ManualClock();

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger });
});
afterAll(async () => {
  await stack?.stop();
});

const signup = (email: string) =>
  subscribe(stack.deps, {
    email,
    firstName: "Ana",
    timeZone: "UTC",
    consent: { form: "test", textVersion: "1" },
  });

it("a confirm job on the send queue mails the confirmation to a pending subscriber only", async () => {
  await signup("pending@example.com");
  await signup("active@example.com");
  await confirm(stack.deps, sidFor(stack.deps, "active@example.com"));
  await stack.drain();
  const before = {
    pending: (await inbox(stack.inboxUrl, "pending@example.com")).length,
    active: (await inbox(stack.inboxUrl, "active@example.com")).length,
  };

  // The mailbox throttle allows one confirmation per 10 minutes.
  clock.advance(10 * 60_000);
  await stack.deps.queue.enqueue([
    { kind: "confirm", sid: sidFor(stack.deps, "pending@example.com") },
    { kind: "confirm", sid: sidFor(stack.deps, "active@example.com") },
    { kind: "confirm", sid: sidFor(stack.deps, "nobody@example.com") },
  ]);
  await stack.drain();

  const pending = await inbox(stack.inboxUrl, "pending@example.com");
  expect(pending).toHaveLength(before.pending + 1);
  expect(pending.at(-1)?.body.text).toContain("/confirm?t=");
  // Someone who already confirmed is never asked to confirm again (they get their links).
  const active = await inbox(stack.inboxUrl, "active@example.com");
  expect(active.slice(before.active).some((m) => m.body.text.includes("/confirm?t="))).toBe(false);
});

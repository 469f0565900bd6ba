import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { confirm, feedback, sidFor, subscribe } from "../../functions/funnel/subscriptions";
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

async function activeSubscriber(email: string) {
  const deps = stack.deps;
  await subscribe(deps, {
    email,
    firstName: "",
    timeZone: "UTC",
    consent: { form: "test", textVersion: "1" },
  });
  await confirm(deps, sidFor(deps, email));
  await stack.drain();
  return sidFor(deps, email);
}

describe("SES feedback", () => {
  it.each(["bounced", "complained"] as const)(
    "%s: marks the subscriber, takes them out of the due index, and a repeat changes nothing",
    async (kind) => {
      const email = `${kind}@example.com`;
      const sid = await activeSubscriber(email);
      expect((await stack.deps.store.get(sid))?.dueAt).toBeDefined();

      expect(await feedback(stack.deps, sid, kind)).toBe(true);
      const marked = await stack.deps.store.get(sid);
      expect(marked?.status).toBe(kind);
      expect(marked?.dueAt).toBeUndefined();
      expect(marked?.dueShard).toBeUndefined();

      expect(await feedback(stack.deps, sid, kind)).toBe(false);
      expect(await stack.deps.store.get(sid)).toEqual(marked);

      for (let d = 0; d < 20; d++) {
        clock.advance(DAY_MS);
        await stack.tick();
      }
      expect(await inbox(stack.inboxUrl, email)).toHaveLength(2);

      // Signing up again does not mail an address that bounced or complained.
      await subscribe(stack.deps, {
        email,
        firstName: "",
        timeZone: "UTC",
        consent: { form: "test", textVersion: "1" },
      });
      expect(await inbox(stack.inboxUrl, email)).toHaveLength(2);
    },
  );

  it("a complaint after a bounce is recorded; a bounce after a complaint is not", async () => {
    const sid = await activeSubscriber("both@example.com");
    expect(await feedback(stack.deps, sid, "bounced")).toBe(true);
    expect(await feedback(stack.deps, sid, "complained")).toBe(true);
    expect(await feedback(stack.deps, sid, "bounced")).toBe(false);
    expect((await stack.deps.store.get(sid))?.status).toBe("complained");
  });

  it("feedback for an address we do not know changes nothing", async () => {
    expect(await feedback(stack.deps, sidFor(stack.deps, "stranger@example.com"), "bounced")).toBe(
      false,
    );
    expect(await stack.deps.store.get(sidFor(stack.deps, "stranger@example.com"))).toBeUndefined();
  });
});

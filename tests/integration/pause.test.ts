import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox } from "./inbox";

let stack: LocalStack;
const clock = new ManualClock();

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger, maxSendRate: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

const people = Array.from({ length: 12 }, (_, i) => `pause${i}@example.com`);

describe("pausing the whole sequence", () => {
  it("sends nothing while paused; on resume each continues with their next email, once", async () => {
    const deps = stack.deps;
    for (const email of people) {
      await subscribe(deps, {
        email,
        firstName: "",
        timeZone: "UTC",
        consent: { form: "t", textVersion: "1" },
      });
      await confirm(deps, sidFor(deps, email));
    }
    await stack.drain();
    // `sequence.paused: true` in funnel.yaml (the loaded content, changed in place).
    stack.course.funnel.sequence.paused = true;
    const total = stack.course.lessons.reduce((d, l) => d + l.delayDays, 0);
    for (let d = 0; d < total + 2; d++) {
      clock.advance(DAY_MS);
      await stack.tick();
    }
    for (const email of people) expect(await inbox(stack.inboxUrl, email)).toHaveLength(2);

    stack.course.funnel.sequence.paused = false;
    await stack.tick();
    // Everyone gets the one email they were due, not every lesson they missed.
    for (const email of people) {
      const mail = await inbox(stack.inboxUrl, email);
      expect(mail.map((m) => m.subject).slice(2)).toEqual([stack.course.lessons[0]?.subject]);
    }
    // The next one follows its own delay after that send.
    clock.advance((stack.course.lessons[1]?.delayDays ?? 1) * DAY_MS * 0.9);
    await stack.tick();
    for (const email of people) expect(await inbox(stack.inboxUrl, email)).toHaveLength(3);
  });
});

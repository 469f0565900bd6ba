import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { dispatch } from "../../functions/funnel/drip";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

let stack: LocalStack;
const clock = new ManualClock();

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger, maxSendRate: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

/** A budget that counts how often it was asked. */
function counted(answer: () => Promise<number>) {
  const budget = Object.assign(
    () => {
      budget.asked++;
      return answer();
    },
    { asked: 0 },
  );
  return budget;
}

describe("dispatch asks the senders' budget only when something is due", () => {
  it("an idle tick asks nothing; a budget caps the claims; an unknown budget claims nobody", async () => {
    const deps = stack.deps;
    const idle = counted(() => Promise.resolve(100));
    expect(await dispatch({ ...deps, budget: idle }, clock.now())).toEqual({
      claimed: 0,
      failed: 0,
      deferred: false,
    });
    expect(idle.asked).toBe(0);

    const people = Array.from({ length: 5 }, (_, i) => `budget${i}@example.com`);
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
    clock.advance(((stack.course.lessons[0]?.delayDays ?? 1) + 1) * DAY_MS);

    // The budget is unknown (SES or SQS failed): nobody is claimed, the tick counts a failure.
    const failing = counted(() => Promise.reject(new Error("GetAccount failed")));
    expect(await dispatch({ ...deps, budget: failing }, clock.now())).toEqual({
      claimed: 0,
      failed: 1,
      deferred: true,
    });
    expect(failing.asked).toBe(1);

    // Room for two: two are claimed, the rest stays due for a later tick.
    const two = counted(() => Promise.resolve(2));
    expect(await dispatch({ ...deps, budget: two }, clock.now())).toEqual({
      claimed: 2,
      failed: 0,
      deferred: true,
    });
    expect(two.asked).toBe(1);
    const rest = counted(() => Promise.resolve(100));
    expect(await dispatch({ ...deps, budget: rest }, clock.now())).toMatchObject({
      claimed: 3,
      failed: 0,
    });
    expect(rest.asked).toBe(1);
    await stack.drain();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../functions/core/ports";
import { erase } from "../../functions/funnel/owner";
import {
  confirm,
  feedback,
  sidFor,
  subscribe,
  unsubscribe,
} from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn } from "./inbox";

const lines: string[] = [];
const capture: Logger = {
  info: (m, d) => lines.push(`${m} ${JSON.stringify(d ?? {})}`),
  warn: (m, d) => lines.push(`${m} ${JSON.stringify(d ?? {})}`),
  error: (m, d) => lines.push(`${m} ${JSON.stringify(d ?? {})}`),
};
let stack: LocalStack;
const clock = new ManualClock();

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: capture });
});
afterAll(async () => {
  await stack?.stop();
});

describe("what npm start prints", () => {
  it("a line for confirmations, unsubscribes, bounces, complaints, erasures and owner sign-ins; never an address", async () => {
    const deps = stack.deps;
    const consent = { form: "t", textVersion: "1" };
    const people = ["t1@example.com", "t2@example.com", "t3@example.com", "t4@example.com"];
    for (const email of people) {
      await subscribe(deps, { email, firstName: "", timeZone: "UTC", consent });
      await confirm(deps, sidFor(deps, email));
    }
    await stack.drain();
    await unsubscribe(deps, sidFor(deps, people[0] as string));
    await feedback(deps, sidFor(deps, people[1] as string), "bounced");
    await feedback(deps, sidFor(deps, people[2] as string), "complained");
    await erase(deps, sidFor(deps, people[3] as string));
    const origin = { origin: stack.siteUrl, "content-type": "application/x-www-form-urlencoded" };
    await fetch(`${stack.siteUrl}/admin/login`, {
      method: "POST",
      headers: origin,
      body: "email=clara@yogaforhealthyhips.com",
    });
    await stack.drain();
    const mail = await inbox(stack.inboxUrl, "clara@yogaforhealthyhips.com");
    const t = new URL(
      linkIn(mail.at(-1)?.body.html ?? "", `${stack.siteUrl}/admin/login?t=`),
    ).searchParams.get("t");
    await fetch(`${stack.siteUrl}/admin/login/complete`, {
      method: "POST",
      headers: origin,
      body: `t=${t}`,
      redirect: "manual",
    });

    const messages = lines.map((l) => l.split(" ")[0]);
    for (const m of ["confirmed", "unsubscribed", "bounced", "complained", "erased", "owner"]) {
      expect(messages, m).toContain(m);
    }
    expect(lines.some((l) => l.startsWith("owner signed in"))).toBe(true);
    for (const l of lines) expect(l).not.toMatch(/@|example\.com|yogaforhealthyhips/);
  });
});

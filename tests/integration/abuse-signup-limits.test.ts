import { describe, expect, it } from "vitest";
import { createApp } from "../../functions/http/app";
import { SIGNUP_RATE_LIMIT } from "../../functions/http/routes/subscribe";
import { abuseStack, expectErrorPage, expectJsonError, JSON_TYPE } from "./abuse";
import { inbox } from "./inbox";
import { ripeStamp } from "./stamp";

const env = abuseStack();
const { clock, recorder, signupJson, signupForm, subscriber } = env;

describe("per-IP rate limit", () => {
  const burstFrom = async (ip: string, prefix: string, app = env.stack.app) => {
    const statuses: number[] = [];
    for (let i = 0; i <= SIGNUP_RATE_LIMIT.burst; i++) {
      const res = await app.request("/api/subscribe", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, "x-forwarded-for": ip },
        body: JSON.stringify({
          email: `${prefix}${i}@example.com`,
          stamp: ripeStamp(env.stack.deps),
        }),
      });
      statuses.push(res.status);
    }
    return statuses;
  };
  const expected = [...Array(SIGNUP_RATE_LIMIT.burst).fill(202), 429];

  it("no address is exempt: loopback is limited like anyone", async () => {
    expect(await burstFrom("127.0.0.1", "lo4.")).toEqual(expected);
    expect(await burstFrom("::1", "lo6.")).toEqual(expected);
    await env.stack.drain();
  });

  it("IPv6 clients count by /64: another address in the /64 is the same client", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= SIGNUP_RATE_LIMIT.burst; i++) {
      const res = await signupJson(
        { email: `v6.${i}@example.com` },
        `2001:db8:7:8::${(i + 1).toString(16)}`,
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual(expected);
    expect(
      (await signupJson({ email: "v6.x@example.com" }, "2001:db8:7:8:ffff:1:2:3")).status,
    ).toBe(429);
    expect((await signupJson({ email: "v6.y@example.com" }, "2001:db8:7:9::1")).status).toBe(202);
  });

  it("the count is shared by every instance (state in the table, not in memory)", async () => {
    const other = createApp(env.stack.deps);
    const statuses: number[] = [];
    for (let i = 0; i <= SIGNUP_RATE_LIMIT.burst; i++) {
      const app = i % 2 ? other : env.stack.app;
      const res = await app.request("/api/subscribe", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, "x-forwarded-for": "198.51.100.20" },
        body: JSON.stringify({ email: `inst.${i}@example.com`, stamp: ripeStamp(env.stack.deps) }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual(expected);
    await env.stack.drain();
  });

  it(`refuses signup ${SIGNUP_RATE_LIMIT.burst + 1} from one address with 429 and Retry-After; others and later are fine`, async () => {
    const ip = "192.0.2.77";
    const { burst } = SIGNUP_RATE_LIMIT;
    for (let i = 0; i < burst; i++) {
      expect((await signupJson({ email: `rl${i}@example.com` }, ip)).status).toBe(202);
    }
    const watch = recorder.watch();
    const refused = await signupJson({ email: "rl.over@example.com" }, ip);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expectJsonError(refused.status, refused.headers.get("content-type"), await refused.text());
    const page = await signupForm({ email: "rl.over@example.com" }, ip);
    expectErrorPage(page.status, page.headers.get("content-type"), await page.text());
    expect(page.status).toBe(429);
    expect(watch()).toEqual({ subscriberWrites: [], statsWrites: 0, sends: 0 });
    expect(await subscriber("rl.over@example.com")).toBeUndefined();

    expect((await signupJson({ email: "rl.other@example.com" }, "192.0.2.78")).status).toBe(202);
    clock.advance(retryAfter * 1000);
    expect((await signupJson({ email: "rl.over@example.com" }, ip)).status).toBe(202);
    expect(await inbox(env.stack.inboxUrl, "rl.over@example.com")).toHaveLength(1);
  });
});

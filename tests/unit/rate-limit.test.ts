import fc from "fast-check";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientKey, gcra, keepLatest, parseRateLimit } from "../../functions/core/limits";
import type { BucketRule } from "../../functions/core/token-bucket";
import { type AppDeps, type Env, forwardedFor } from "../../functions/http/context";
import { ipRateLimit } from "../../functions/http/rate-limit";
import { ensureCourse } from "../../infra/build/course";
import { ManualClock } from "../../infra/local/clock";

const { course } = await ensureCourse();

/** A bare app with only the limiter in front of a handler that counts what got through. */
function appWith(rule: BucketRule, maxKeys = 100) {
  const clock = new ManualClock();
  const deps = { course, clock, clientIp: forwardedFor } as unknown as AppDeps;
  let served = 0;
  const app = new Hono<Env>()
    .use(async (c, next) => {
      c.set("deps", deps);
      await next();
    })
    .post("/signup", ipRateLimit({ rule, maxKeys }), (c) => {
      served++;
      return c.json({ ok: true }, 202);
    });
  const post = (ip?: string, type = "application/json") =>
    app.request("/signup", {
      method: "POST",
      headers: { "content-type": type, ...(ip ? { "x-forwarded-for": ip } : {}) },
      body: type === "application/json" ? "{}" : "email=a%40example.com",
    });
  return { clock, post, served: () => served };
}

describe("ipRateLimit", () => {
  it("lets a burst through, then answers 429 JSON with Retry-After, without calling the handler", async () => {
    const { post, served } = appWith({ burst: 3, rate: 1 / 6 });
    for (let i = 0; i < 3; i++) expect((await post("203.0.113.1")).status).toBe(202);
    const refused = await post("203.0.113.1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("6");
    expect(refused.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await refused.json()) as { error: unknown; issues: unknown };
    expect(typeof body.error).toBe("string");
    expect(body.issues).toEqual([]);
    expect(served()).toBe(3);
  });

  it("counts each address on its own", async () => {
    const { post } = appWith({ burst: 1, rate: 1 / 60 });
    expect((await post("203.0.113.1")).status).toBe(202);
    expect((await post("203.0.113.1")).status).toBe(429);
    expect((await post("203.0.113.2")).status).toBe(202);
    // The first hop of X-Forwarded-For names the client.
    expect((await post("203.0.113.3, 10.0.0.1")).status).toBe(202);
    expect((await post("203.0.113.3, 10.0.0.2")).status).toBe(429);
  });

  it("lets the address in again once Retry-After has passed, not before", async () => {
    const exhausted = async () => {
      const app = appWith({ burst: 2, rate: 1 / 6 });
      await app.post("203.0.113.1");
      await app.post("203.0.113.1");
      const refused = await app.post("203.0.113.1");
      expect(refused.status).toBe(429);
      return { ...app, waitMs: Number(refused.headers.get("retry-after")) * 1000 };
    };
    const patient = await exhausted();
    patient.clock.advance(patient.waitMs);
    expect((await patient.post("203.0.113.1")).status).toBe(202);
    expect((await patient.post("203.0.113.1")).status).toBe(429);

    const eager = await exhausted();
    eager.clock.advance(eager.waitMs - 100);
    expect((await eager.post("203.0.113.1")).status).toBe(429);
    eager.clock.advance(1000);
    expect((await eager.post("203.0.113.1")).status).toBe(202);
  });

  it("puts requests without a reported address in one shared bucket", async () => {
    const { post } = appWith({ burst: 2, rate: 1 / 60 });
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(429);
    expect((await post("203.0.113.9")).status).toBe(202);
  });

  it("answers a form post with a friendly page", async () => {
    const { post } = appWith({ burst: 1, rate: 1 / 60 });
    const type = "application/x-www-form-urlencoded";
    expect((await post("203.0.113.1", type)).status).toBe(202);
    const refused = await post("203.0.113.1", type);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/text\/html/);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.text()).toMatch(/<html[\s\S]*try again/i);
  });

  it("remembers at most maxKeys addresses, forgetting the least recently seen", async () => {
    const { post } = appWith({ burst: 1, rate: 1 / 3600 }, 2);
    expect((await post("a")).status).toBe(202);
    expect((await post("b")).status).toBe(202);
    expect((await post("a")).status).toBe(429); // a is now the most recently seen
    expect((await post("c")).status).toBe(202); // evicts b
    expect((await post("a")).status).toBe(429); // a was kept
    expect((await post("b")).status).toBe(202); // b was forgotten: a fresh bucket (evicts c)
    expect((await post("a")).status).toBe(429);
    expect((await post("c")).status).toBe(202); // c was forgotten too
  });

  it("refuses a rule that would never refill", () => {
    expect(() => ipRateLimit({ rule: { burst: 1, rate: 0 }, maxKeys: 10 })).toThrow(RangeError);
    expect(() => ipRateLimit({ rule: { burst: 0, rate: 1 }, maxKeys: 10 })).toThrow(RangeError);
    expect(() => ipRateLimit({ rule: { burst: 1, rate: 1 }, maxKeys: 0 })).toThrow(RangeError);
  });

  it("never lets an address through more than burst + rate × elapsed times (property)", async () => {
    const rule = { burst: 4, rate: 1 / 5 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            ip: fc.constantFrom("198.51.100.1", "198.51.100.2", "198.51.100.3"),
            gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20_000 })),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        async (arrivals) => {
          const { clock, post } = appWith(rule);
          const seen = new Map<string, { first: number; allowed: number }>();
          for (const { ip, gapMs } of arrivals) {
            clock.advance(gapMs);
            const res = await post(ip);
            expect([202, 429]).toContain(res.status);
            const s = seen.get(ip) ?? { first: clock.now(), allowed: 0 };
            if (res.status === 202) s.allowed++;
            seen.set(ip, s);
            const elapsed = (clock.now() - s.first) / 1000;
            expect(s.allowed).toBeLessThanOrEqual(rule.burst + rule.rate * elapsed + 1e-9);
            if (res.status === 429) {
              expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("ipRateLimit: no address is exempt", () => {
  it.each(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "128.0.0.1", "::2", "10.127.0.1"])(
    "limits %s like any other address",
    async (ip) => {
      const { post } = appWith({ burst: 1, rate: 1 / 60 });
      expect((await post(ip)).status).toBe(202);
      expect((await post(ip)).status).toBe(429);
    },
  );
});

describe("clientKey: what one client is", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002:0:0:0:9", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    [undefined, "unknown"],
  ])("%s -> %s", (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });
});

describe("parseRateLimit", () => {
  it.each([
    ["10/6s", { burst: 10, intervalMs: 6000 }],
    ["1/500ms", { burst: 1, intervalMs: 500 }],
    ["100/1m", { burst: 100, intervalMs: 60_000 }],
    [" OFF ", "off"],
  ])("%s", (text, rule) => {
    expect(parseRateLimit(text)).toEqual(rule);
  });
  it.each(["", "10", "10/6", "0/6s", "10/0s", "ten/6s", "10/6d"])("refuses %j", (text) => {
    expect(() => parseRateLimit(text)).toThrow(/like "10\/6s", or "off"/);
  });
});

describe("gcra", () => {
  it("a burst of `burst`, then one per interval", () => {
    const rule = { burst: 3, intervalMs: 1000 };
    let tat: number | undefined;
    const at = (now: number) => {
      const d = gcra(tat, rule, now);
      if (d.allowed) tat = d.tat;
      return d.allowed;
    };
    expect([at(0), at(0), at(0), at(0)]).toEqual([true, true, true, false]);
    expect(at(999)).toBe(false);
    expect(at(1000)).toBe(true);
    expect(at(1000)).toBe(false);
  });
});

describe("keepLatest: a link's record of opens stays small", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  const person = (s: number) => ({ at: at(s), scanner: false });
  const scanner = (s: number) => ({ at: at(s), scanner: true });

  it.each([
    ["the first open", [], person(1), 3, [person(1)]],
    [
      "below the cap, everything",
      [person(1), person(2)],
      person(3),
      3,
      [person(1), person(2), person(3)],
    ],
    [
      "at the cap, the oldest goes",
      [person(1), person(2), person(3)],
      person(4),
      3,
      [person(2), person(3), person(4)],
    ],
    [
      "a late arrival older than all kept is itself dropped",
      [person(2), person(3), person(4)],
      person(1),
      3,
      [person(2), person(3), person(4)],
    ],
    [
      "scanners never push out a person's opens",
      [person(1), scanner(2), scanner(3)],
      scanner(4),
      2,
      [person(1), scanner(3), scanner(4)],
    ],
    [
      "nor people a scanner's",
      [scanner(1), person(2), person(3)],
      person(4),
      2,
      [scanner(1), person(3), person(4)],
    ],
  ])("%s", (_, kept, entry, max, expected) => {
    expect(keepLatest(kept, entry, max)).toEqual(expected);
  });

  it("never holds more than `max` of each kind, whatever arrives (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.nat(86_399), scanner: fc.boolean() }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 10 }),
        (opens, max) => {
          let kept: ReturnType<typeof keepLatest> = [];
          for (const o of opens) kept = keepLatest(kept, { at: at(o.s), scanner: o.scanner }, max);
          for (const kind of [true, false]) {
            const mine = kept.filter((e) => e.scanner === kind);
            const all = opens.filter((o) => o.scanner === kind).length;
            expect(mine.length).toBe(Math.min(all, max));
          }
        },
      ),
    );
  });
});

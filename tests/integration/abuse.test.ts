import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CONFIRM_THROTTLE } from "../../functions/core/limits";
import type { Logger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { EVIDENCE_KEPT } from "../../functions/core/transitions";
import { sidFor } from "../../functions/funnel/subscriptions";
import { createApp } from "../../functions/http/app";
import { forwardedFor } from "../../functions/http/context";
import { SIGNUP_RATE_LIMIT } from "../../functions/http/routes/subscribe";
import { issueStamp, MIN_FILL_MS } from "../../functions/http/stamp";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import {
  badSignup,
  brokenQuery,
  enc,
  expectErrorPage,
  expectJsonError,
  expectOnlyScannerClicks,
  garbageToken,
  mutatedToken,
  payloadOf,
  scanTable,
  subscriberItems,
  WriteRecorder,
  withPayload,
} from "./abuse";
import { header, inbox, linkIn, type StoredEmail, trackedLinks } from "./inbox";
import { ripeStamp } from "./stamp";

let stack: LocalStack;
const clock = new ManualClock();
const recorder = new WriteRecorder();

/** Every log line and console line of the whole file, for the "no PII in logs" test. */
const logLines: string[] = [];
const consoleLines: string[] = [];
const capture =
  (level: string): Logger["info"] =>
  (message, data) =>
    logLines.push(`${level} ${message} ${JSON.stringify(data ?? {})}`);
const logger: Logger = { info: capture("info"), warn: capture("warn"), error: capture("error") };
/** Every address and first name this file signs up with. */
const usedEmails = new Set<string>();
const usedNames = new Set<string>();

beforeAll(async () => {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
  stack = await startLocalStack({
    clock,
    logger,
    maxSendRate: 1000,
    // Requests arrive from one socket; X-Forwarded-For stands in for many clients.
    clientIp: forwardedFor,
    clients: (c) => recorder.attach(c),
  });
});
afterAll(async () => {
  await stack?.stop();
  vi.restoreAllMocks();
});

let ipCount = 0;
/** A client address nobody else in this file uses, so per-IP limits stay out of the way. */
const freshIp = () => {
  const n = ++ipCount;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};
/** The app in-process (`app.request` may answer synchronously; this always gives a promise). */
const request = async (path: string, init?: RequestInit) => stack.app.request(path, init);
const pathOf = (url: string) => url.slice(stack.siteUrl.length);
const tokenOf = (url: string) => new URL(url).searchParams.get("t") as string;
const JSON_TYPE = "application/json";
const FORM_TYPE = "application/x-www-form-urlencoded";

/**
 * A JSON signup with a ripe stamp unless the body names its own `stamp`; waits until the
 * queued confirmation job has run, so the inbox tells what was sent.
 */
async function signupJson(body: Record<string, unknown>, ip = freshIp()) {
  if (typeof body.email === "string") usedEmails.add(body.email.trim().toLowerCase());
  if (typeof body.firstName === "string") usedNames.add(body.firstName);
  const res = await request("/api/subscribe", {
    method: "POST",
    headers: { "content-type": JSON_TYPE, "x-forwarded-for": ip },
    body: JSON.stringify("stamp" in body ? body : { ...body, stamp: ripeStamp(stack.deps) }),
  });
  await stack.drain();
  return res;
}

/** The same as a plain form post. */
async function signupForm(fields: Record<string, string>, ip = freshIp()) {
  if (fields.email) usedEmails.add(fields.email.trim().toLowerCase());
  if (fields.firstName) usedNames.add(fields.firstName);
  const res = await request("/api/subscribe", {
    method: "POST",
    headers: { "content-type": FORM_TYPE, "x-forwarded-for": ip },
    // `stamp: undefined` posts no stamp at all.
    body: new URLSearchParams(
      "stamp" in fields
        ? Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
        : { ...fields, stamp: ripeStamp(stack.deps) },
    ).toString(),
  });
  await stack.drain();
  return res;
}

const subscriber = (email: string) => stack.deps.store.get(sidFor(stack.deps, email));

/** Moves the clock by `days` in quarter-day steps, running the scheduler at each. */
async function live(days: number) {
  for (let t = 0; t < days - 1e-9; t += 0.25) {
    clock.advance(0.25 * DAY_MS);
    await stack.tick();
  }
}

async function signUpAndConfirm(email: string, firstName = "") {
  expect((await signupJson({ email, firstName })).status).toBe(202);
  const [confirmation] = await inbox(stack.inboxUrl, email);
  const url = linkIn(confirmation?.body.html ?? "", `${stack.siteUrl}/confirm?t=`);
  const res = await request(pathOf(url), { method: "POST" });
  expect(res.status).toBe(200);
  await stack.drain();
  const mail = await inbox(stack.inboxUrl, email);
  return { confirmUrl: url, confirmedPage: await res.text(), welcome: mail[1] as StoredEmail };
}

/** The personal links of a marketing email. */
function linksOf(email: StoredEmail) {
  const html = email.body.html;
  return {
    unsubscribe: linkIn(html, `${stack.siteUrl}/u?t=`),
    manage: linkIn(html, `${stack.siteUrl}/manage?t=`),
    tracked: trackedLinks(html, stack.siteUrl),
  };
}

const allHrefs = (email: StoredEmail) =>
  [...email.body.html.matchAll(/href="([^"]+)"/g)].map((m) =>
    (m[1] as string).replaceAll("&amp;", "&"),
  );

describe("signup floods", () => {
  it("300 signups for one address (from 300 addresses, 30 at a time) send one email and write one item", async () => {
    const email = "flood@example.com";
    const watch = recorder.watch();
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          signupJson({ email, firstName: "Flood" }).then((r) => r.status),
        ),
      );
      expect(results.every((s) => s === 202)).toBe(true);
    }
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(1);
    const sid = sidFor(stack.deps, email);
    const items = Object.keys(await scanTable(stack.dynamoEndpoint)).filter((k) =>
      k.startsWith(`SUB#${sid} `),
    );
    expect(items).toEqual([`SUB#${sid} PROFILE`]);
    // One create won; the others appended their evidence (a bounded history) to the one item.
    const sub = await subscriber(email);
    expect(sub?.status).toBe("pending");
    expect(sub?.signups?.length).toBeLessThanOrEqual(EVIDENCE_KEPT);
    const { subscriberWrites, sends } = watch();
    expect(sends).toBe(1);
    const written = new Set(subscriberWrites);
    expect(written.has(`SUB#${sid}`)).toBe(true);
    // Besides the profile: the mailbox's one throttle item and the clients' rate items.
    for (const pk of written) expect(pk).toMatch(new RegExp(`^(SUB#${sid}|THROTTLE#|RATE#)`));
    expect([...written].filter((pk) => pk.startsWith("THROTTLE#"))).toHaveLength(1);
  }, 120_000);

  it("eight +tag variants and dotted Gmail spellings of one mailbox get one confirmation", async () => {
    const variants = [
      ...Array.from({ length: 8 }, (_, i) => `victim+${i}@example.com`),
      "Victim@example.com",
    ];
    const gmail = ["v.i.c.t.i.m@gmail.com", "victim+x@googlemail.com", "VICTIM@gmail.com"];
    for (const email of [...variants, ...gmail]) {
      expect((await signupJson({ email })).status).toBe(202);
    }
    const inMailbox = async (list: string[]) =>
      (await Promise.all(list.map((e) => inbox(stack.inboxUrl, e)))).flat().length;
    expect(await inMailbox(variants)).toBe(1);
    expect(await inMailbox(gmail)).toBe(1);
    // They are still distinct subscribers.
    const sids = new Set(variants.map((e) => sidFor(stack.deps, e)));
    expect(sids.size).toBe(variants.length);
    for (const e of variants) expect((await subscriber(e))?.status).toBe("pending");
    // Ten minutes later one more may go; three a day at most.
    clock.advance(10 * 60_000);
    await signupJson({ email: "victim+9@example.com" });
    expect(await inMailbox([...variants, "victim+9@example.com"])).toBe(2);
  });

  it(`signups for one address every 72 minutes for a day send at most ${CONFIRM_THROTTLE.perDay} emails`, async () => {
    const email = "flood.day@example.com";
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => signupJson({ email }).then((r) => r.status)),
      );
      expect(results.every((s) => s === 202)).toBe(true);
      clock.advance(DAY_MS / 20 - 1);
    }
    const mail = await inbox(stack.inboxUrl, email);
    expect(mail.length).toBeGreaterThanOrEqual(1);
    expect(mail.length).toBeLessThanOrEqual(CONFIRM_THROTTLE.perDay);
  }, 120_000);
});

describe("bots are refused softly", () => {
  const realSuccess = async () => {
    const res = await signupJson({ email: "person.control@example.com", firstName: "Control" });
    expect(res.status).toBe(202);
    return res.json();
  };

  /** Answered exactly like a person, and nothing stored, nothing sent. */
  async function expectSoftRefusal(email: string, post: () => Promise<Response>, json: boolean) {
    const watch = recorder.watch();
    const res = await post();
    if (json) {
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual(realSuccessBody);
    } else {
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/thanks");
    }
    expect(watch()).toEqual({ subscriberWrites: [], statsWrites: 0, sends: 0 });
    expect(await subscriber(email)).toBeUndefined();
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(0);
  }
  let realSuccessBody: unknown;
  beforeAll(async () => {
    realSuccessBody = await realSuccess();
  });

  async function landingStamp() {
    const html = await (await request("/")).text();
    const stamp = /name="stamp" value="([^"]+)"/.exec(html)?.[1];
    expect(stamp).toBeDefined();
    return stamp as string;
  }

  it("the honeypot field, filled in, in JSON and in a form post", async () => {
    const email = "honey@example.com";
    await expectSoftRefusal(
      email,
      () => signupJson({ email, firstName: "Honey", website: "https://spam.example" }),
      true,
    );
    await expectSoftRefusal(
      email,
      () => signupForm({ email, firstName: "Honey", website: " " }),
      false,
    );
  });

  it("a forged, foreign, expired or instant stamp", async () => {
    const email = "stamp.bot@example.com";
    const real = await landingStamp();
    const forged = [
      undefined,
      "",
      "not-a-stamp",
      withPayload(real, (p) => Object.assign(p, { s: "forged" })),
      `${real.split(".")[0]}.${"A".repeat(43)}`,
      // A token the server signed, but for another purpose.
      stack.deps.tokens.sign({ purpose: "confirm", sid: "x", expiresAt: clock.now() + DAY_MS }),
    ];
    for (const stamp of forged) {
      await expectSoftRefusal(email, () => signupJson({ email, stamp }), true);
      await expectSoftRefusal(email, () => signupForm({ email, stamp: stamp as string }), false);
    }
    // Posted the moment the form was served, and just under the human minimum.
    const instant = await landingStamp();
    await expectSoftRefusal(email, () => signupForm({ email, stamp: instant }), false);
    clock.advance(MIN_FILL_MS - 1);
    await expectSoftRefusal(email, () => signupJson({ email, stamp: instant }), true);
    // A stamp from yesterday's page has expired.
    const old = await landingStamp();
    clock.advance(DAY_MS + 1000);
    await expectSoftRefusal(email, () => signupForm({ email, stamp: old }), false);
  });

  it("accepts a real stamp once a person could have filled in the form", async () => {
    const email = "stamp.person@example.com";
    const stamp = await landingStamp();
    clock.advance(MIN_FILL_MS + 500);
    const res = await signupForm({ email, firstName: "Patient", stamp });
    expect(res.status).toBe(303);
    expect((await subscriber(email))?.status).toBe("pending");
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(1);

    const json = "stamp.person2@example.com";
    const stamp2 = issueStamp(stack.deps);
    clock.advance(MIN_FILL_MS);
    expect((await signupJson({ email: json, stamp: stamp2 })).status).toBe(202);
    expect(await inbox(stack.inboxUrl, json)).toHaveLength(1);
  });
});

describe("per-IP rate limit", () => {
  const burstFrom = async (ip: string, prefix: string, app = stack.app) => {
    const statuses: number[] = [];
    for (let i = 0; i <= SIGNUP_RATE_LIMIT.burst; i++) {
      const res = await app.request("/api/subscribe", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, "x-forwarded-for": ip },
        body: JSON.stringify({ email: `${prefix}${i}@example.com`, stamp: ripeStamp(stack.deps) }),
      });
      statuses.push(res.status);
    }
    return statuses;
  };
  const expected = [...Array(SIGNUP_RATE_LIMIT.burst).fill(202), 429];

  it("no address is exempt: loopback is limited like anyone", async () => {
    expect(await burstFrom("127.0.0.1", "lo4.")).toEqual(expected);
    expect(await burstFrom("::1", "lo6.")).toEqual(expected);
    await stack.drain();
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
    const other = createApp(stack.deps);
    const statuses: number[] = [];
    for (let i = 0; i <= SIGNUP_RATE_LIMIT.burst; i++) {
      const app = i % 2 ? other : stack.app;
      const res = await app.request("/api/subscribe", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, "x-forwarded-for": "198.51.100.20" },
        body: JSON.stringify({ email: `inst.${i}@example.com`, stamp: ripeStamp(stack.deps) }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual(expected);
    await stack.drain();
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
    expect(await inbox(stack.inboxUrl, "rl.over@example.com")).toHaveLength(1);
  });
});

describe("fuzz: bad requests at every endpoint", () => {
  const RUNS = 200;
  // One token signs every link of an email: unsubscribe, manage and click share it.
  let realTokens: Record<"confirm" | "email" | "stamp", string[]>;
  let sids: string[];

  beforeAll(async () => {
    const active = "fuzz.active@example.com";
    const pending = "fuzz.pending@example.com";
    const { confirmUrl, welcome } = await signUpAndConfirm(active, "Fuzz");
    expect((await signupJson({ email: pending })).status).toBe(202);
    const [pendingConfirm] = await inbox(stack.inboxUrl, pending);
    const links = linksOf(welcome);
    realTokens = {
      confirm: [
        tokenOf(confirmUrl),
        tokenOf(linkIn(pendingConfirm?.body.html ?? "", `${stack.siteUrl}/confirm?t=`)),
      ],
      email: [
        tokenOf(links.unsubscribe),
        ...Object.values(links.tracked).map((u) => u.split("/").at(-1) as string),
      ],
      stamp: [issueStamp(stack.deps)],
    };
    sids = [sidFor(stack.deps, active), sidFor(stack.deps, pending)];
  });

  /** Garbage, mutated real tokens, and real tokens meant for another endpoint. */
  const badTokenFor = (purpose: keyof typeof realTokens) => {
    const all = Object.values(realTokens).flat();
    const foreign = Object.entries(realTokens)
      .filter(([p]) => p !== purpose)
      .flatMap(([, t]) => t);
    return fc.oneof(garbageToken, mutatedToken(all, sids), fc.constantFrom(...foreign));
  };
  const badQueryFor = (purpose: keyof typeof realTokens) =>
    fc.oneof(
      badTokenFor(purpose).map((t) => `?t=${enc(t)}`),
      brokenQuery,
      badTokenFor(purpose).map((t) => `?t=${enc(t)}&t=${enc(realTokens[purpose][0] ?? "")}`),
    );
  const anyBody = fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.constantFrom("List-Unsubscribe=One-Click", "confirm=yes", "confirm=yes&t=x"),
    fc.string({ minLength: 4097, maxLength: 9000, unit: "grapheme-ascii" }),
  );
  const anyType = fc.constantFrom(FORM_TYPE, JSON_TYPE, "text/plain", "multipart/form-data", "");

  /** Nothing written to any subscriber, nothing sent: per request, and in the table after. */
  async function fuzz<T>(
    arb: fc.Arbitrary<T>,
    send: (input: T) => Promise<Response>,
    check: (res: Response, text: string, input: T) => void,
    opts: { statsAllowed?: boolean; numRuns?: number } = {},
  ) {
    const before = subscriberItems(await scanTable(stack.dynamoEndpoint));
    const mailBefore = (await inbox(stack.inboxUrl)).length;
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        const watch = recorder.watch();
        const res = await send(input);
        const text = await res.text();
        expect(res.status).toBeLessThan(500);
        check(res, text, input);
        const changes = watch();
        expect(changes.subscriberWrites).toEqual([]);
        expect(changes.sends).toBe(0);
        if (!opts.statsAllowed) expect(changes.statsWrites).toBe(0);
      }),
      { numRuns: opts.numRuns ?? RUNS },
    );
    expect(subscriberItems(await scanTable(stack.dynamoEndpoint))).toEqual(before);
    expect(await inbox(stack.inboxUrl)).toHaveLength(mailBefore);
  }

  const pageRefusal = (res: Response, text: string) => {
    if (res.status === 413) return expect(res.status).toBe(413); // body limit, before any page
    expectErrorPage(res.status, res.headers.get("content-type"), text);
  };

  it("POST /api/subscribe", async () => {
    await fuzz(
      badSignup(freshIp, () => issueStamp(stack.deps)),
      (c) => request("/api/subscribe", c.init),
      (res, text, c) => {
        const type = res.headers.get("content-type");
        if (c.expect === "soft") {
          expect(res.status).toBe(c.kind === "json" ? 202 : 303);
          return;
        }
        if (c.status) expect(res.status).toBe(c.status);
        if (c.kind === "json" || res.status === 413 || res.status === 415)
          return expectJsonError(res.status, type, text);
        expectErrorPage(res.status, type, text);
      },
      { numRuns: 2 * RUNS },
    );
  });

  it("GET /confirm", async () => {
    await fuzz(badQueryFor("confirm"), (q) => request(`/confirm${q}`), pageRefusal);
  });

  it("POST /confirm", async () => {
    await fuzz(
      fc.tuple(badQueryFor("confirm"), anyBody, anyType),
      ([q, body, type]) =>
        request(`/confirm${q}`, {
          method: "POST",
          headers: type ? { "content-type": type } : {},
          body,
        }),
      pageRefusal,
    );
  });

  it("GET /u", async () => {
    await fuzz(badQueryFor("email"), (q) => request(`/u${q}`), pageRefusal);
  });

  it("POST /u (one-click and the page's button)", async () => {
    await fuzz(
      fc.tuple(badQueryFor("email"), anyBody, anyType),
      ([q, body, type]) =>
        request(`/u${q}`, {
          method: "POST",
          headers: type ? { "content-type": type } : {},
          body,
        }),
      pageRefusal,
    );
  });

  for (const method of ["GET", "HEAD"]) {
    it(`${method} /c/:link/:token and the v1 /c/:token`, async () => {
      await fuzz(
        fc.tuple(
          // "/c/.." would be resolved by the URL parser to "/" before it is sent.
          badTokenFor("email").filter((t) => t !== "." && t !== ".."),
          fc.constantFrom("", "masterclass/", "guide/", "evil/", "constructor/"),
        ),
        ([t, link]) => request(`/c/${link}${enc(t)}`, { method, redirect: "manual" }),
        (res, text) => {
          expect(res.headers.get("location")).toBeNull();
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          if (method === "GET") expectErrorPage(res.status, res.headers.get("content-type"), text);
        },
      );
    });
  }

  it("GET /manage", async () => {
    await fuzz(badQueryFor("email"), (q) => request(`/manage${q}`), pageRefusal);
  });

  for (const action of ["export", "erase"]) {
    it(`POST /manage/${action}`, async () => {
      await fuzz(
        fc.tuple(badQueryFor("email"), anyBody, anyType),
        ([q, body, type]) =>
          request(`/manage/${action}${q}`, {
            method: "POST",
            headers: type ? { "content-type": type } : {},
            body,
          }),
        (res, text) => {
          expect(res.headers.get("content-disposition")).toBeNull();
          pageRefusal(res, text);
        },
      );
    });
  }

  it("POST /api/events/play (anonymous plays are counted; nobody's record changes)", async () => {
    await fuzz(
      fc.tuple(badTokenFor("email"), anyBody, anyType),
      ([cookie, body, type]) =>
        request("/api/events/play", {
          method: "POST",
          headers: {
            cookie: `hh_view=${enc(cookie)}`,
            ...(type ? { "content-type": type } : {}),
          },
          body,
        }),
      (res) => expect([204, 413]).toContain(res.status),
      { statsAllowed: true },
    );
  });

  it("random paths and methods", async () => {
    const path = fc.oneof(
      fc.webPath(),
      fc.string().map((s) => `/${enc(s)}`),
      fc
        .tuple(fc.constantFrom("/c/", "/api/", "/manage/", "/guide/", "/assets/"), fc.string())
        .map(([p, s]) => p + enc(s)),
      fc.constantFrom(
        "/%",
        "/%ZZ",
        "//",
        "/..%2F..%2Fetc%2Fpasswd",
        "/c/%E0%A4%A",
        "/api/subscribe",
      ),
    );
    await fuzz(
      fc.tuple(
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"),
        path.map((p) => (p.startsWith("/") ? p : `/${p}`)),
        anyBody,
        anyType,
      ),
      ([method, p, body, type]) =>
        request(p, {
          method,
          headers: { "x-forwarded-for": freshIp(), ...(type ? { "content-type": type } : {}) },
          body: method === "GET" || method === "HEAD" ? undefined : body,
          redirect: "manual",
        }),
      (res, text, [method]) => {
        if (res.status < 400 || method === "HEAD") return;
        const type = res.headers.get("content-type") ?? "";
        if (type.includes("json")) expectJsonError(res.status, type, text);
        else if (res.status !== 413) expectErrorPage(res.status, type, text);
      },
    );
  });
});

describe("tokens at the endpoints", () => {
  type Person = { email: string; sid: string; unsubscribe: string; manage: string; click: string };
  let a: Person;
  let b: Person;
  let pendingConfirm: string;
  let pendingSid: string;

  async function person(email: string, firstName: string): Promise<Person> {
    const { welcome } = await signUpAndConfirm(email, firstName);
    const links = linksOf(welcome);
    return {
      email,
      sid: sidFor(stack.deps, email),
      unsubscribe: tokenOf(links.unsubscribe),
      manage: tokenOf(links.manage),
      click: (links.tracked.masterclass as string).split("/").at(-1) as string,
    };
  }

  beforeAll(async () => {
    a = await person("tok.a@example.com", "Tokena");
    b = await person("tok.b@example.com", "Tokenb");
    const email = "tok.pending@example.com";
    expect((await signupJson({ email })).status).toBe(202);
    const [mail] = await inbox(stack.inboxUrl, email);
    pendingConfirm = tokenOf(linkIn(mail?.body.html ?? "", `${stack.siteUrl}/confirm?t=`));
    pendingSid = sidFor(stack.deps, email);
  });

  const ENDPOINTS = {
    confirm: (t: string): [string, RequestInit][] => [
      [`/confirm?t=${enc(t)}`, {}],
      [`/confirm?t=${enc(t)}`, { method: "POST" }],
    ],
    unsubscribe: (t: string): [string, RequestInit][] => [
      [`/u?t=${enc(t)}`, {}],
      [
        `/u?t=${enc(t)}`,
        {
          method: "POST",
          headers: { "content-type": FORM_TYPE },
          body: "List-Unsubscribe=One-Click",
        },
      ],
    ],
    click: (t: string): [string, RequestInit][] => [
      [`/c/masterclass/${enc(t)}`, {}],
      [`/c/masterclass/${enc(t)}`, { method: "HEAD" }],
      [`/c/${enc(t)}`, {}],
    ],
    manage: (t: string): [string, RequestInit][] => [
      [`/manage?t=${enc(t)}`, {}],
      [`/manage/export?t=${enc(t)}`, { method: "POST" }],
      [
        `/manage/erase?t=${enc(t)}`,
        { method: "POST", headers: { "content-type": FORM_TYPE }, body: "confirm=yes" },
      ],
    ],
  };
  type Endpoint = keyof typeof ENDPOINTS;

  /** Every endpoint that takes a token, except the one `own` is meant for. */
  const everywhere = (token: string, own?: Endpoint) =>
    (Object.keys(ENDPOINTS) as Endpoint[])
      .filter((e) => e !== own)
      .flatMap((e) => ENDPOINTS[e](token));

  /** Each request is answered with a 4xx page, no redirect; nothing is written or sent. */
  async function expectRefused(requests: [string, RequestInit][]) {
    const before = subscriberItems(await scanTable(stack.dynamoEndpoint));
    const watch = recorder.watch();
    for (const [path, init] of requests) {
      const res = await request(path, { redirect: "manual", ...init });
      const text = await res.text();
      expect(res.headers.get("location"), `${init.method ?? "GET"} ${path}`).toBeNull();
      expect(res.status, `${init.method ?? "GET"} ${path}`).toBeGreaterThanOrEqual(400);
      if (init.method !== "HEAD")
        expectErrorPage(res.status, res.headers.get("content-type"), text);
    }
    expect(watch()).toEqual({ subscriberWrites: [], statsWrites: 0, sends: 0 });
    expect(subscriberItems(await scanTable(stack.dynamoEndpoint))).toEqual(before);
  }

  const realTokens = () => [a.unsubscribe, a.manage, a.click, pendingConfirm];

  it("the untouched tokens work where they belong (so the refusals below mean something)", async () => {
    expect((await request(`/u?t=${a.unsubscribe}`)).status).toBe(200);
    expect((await request(`/manage?t=${a.manage}`)).status).toBe(200);
    expect((await request(`/confirm?t=${pendingConfirm}`)).status).toBe(200);
    const click = await request(`/c/masterclass/${a.click}`, { method: "HEAD" });
    expect(click.status).toBe(302);
  });

  it("tampered tokens are refused everywhere", async () => {
    for (const token of realTokens()) {
      const [body = "", sig = ""] = token.split(".");
      const flip = (s: string, i: number) =>
        s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
      await expectRefused(
        [
          `${flip(body, Math.floor(body.length / 2))}.${sig}`,
          `${body}.${flip(sig, 0)}`,
          `${body}.${flip(sig, sig.length - 1)}`,
          `${body}.${sig.toLowerCase()}`,
          `${body}.${sig}=`,
        ].flatMap((t) => everywhere(t)),
      );
    }
  });

  it("truncated tokens are refused everywhere", async () => {
    for (const token of realTokens()) {
      const [body = ""] = token.split(".");
      await expectRefused(
        [
          token.slice(0, -1),
          token.slice(0, Math.floor(token.length / 2)),
          `${body}.`,
          body,
          token.slice(body.length + 1),
        ].flatMap((t) => everywhere(t)),
      );
    }
  });

  it("expired tokens are refused everywhere", async () => {
    const { tokens, store } = stack.deps;
    const soon = clock.now() + 60_000;
    const generation = (await store.get(a.sid))?.generation;
    const pendingGeneration = (await store.get(pendingSid))?.generation;
    const shortLived = [
      tokens.sign({
        purpose: "email",
        sid: a.sid,
        generation,
        emailId: "welcome",
        expiresAt: soon,
      }),
      tokens.sign({
        purpose: "confirm",
        sid: pendingSid,
        generation: pendingGeneration,
        expiresAt: soon,
      }),
    ];
    expect((await request(`/u?t=${shortLived[0]}`)).status).toBe(200);
    clock.advance(60_001);
    await expectRefused(shortLived.flatMap((t) => everywhere(t)));
  });

  it("an expired confirmation link is refused while a newer one for the same signup still works", async () => {
    const email = "tok.late@example.com";
    expect((await signupJson({ email })).status).toBe(202);
    clock.advance(6 * DAY_MS);
    expect((await signupJson({ email })).status).toBe(202);
    const [first, second] = await inbox(stack.inboxUrl, email);
    const oldToken = tokenOf(linkIn(first?.body.html ?? "", `${stack.siteUrl}/confirm?t=`));
    const newToken = tokenOf(linkIn(second?.body.html ?? "", `${stack.siteUrl}/confirm?t=`));
    clock.advance(DAY_MS + 60_000);
    await expectRefused(ENDPOINTS.confirm(oldToken));
    expect((await subscriber(email))?.status).toBe("pending");
    const res = await request(`/confirm?t=${newToken}`, { method: "POST" });
    expect(res.status).toBe(200);
    await stack.drain();
    expect((await subscriber(email))?.status).toBe("active");
  });

  it("tokens are refused at every endpoint they were not made for", async () => {
    // An email's one token serves its unsubscribe, manage and click links, and nothing else.
    expect(new Set([a.unsubscribe, a.manage, a.click]).size).toBe(1);
    await expectRefused([
      ...ENDPOINTS.confirm(a.unsubscribe),
      ...everywhere(pendingConfirm, "confirm"),
      ...everywhere(issueStamp(stack.deps)),
    ]);
    expect((await subscriber(a.email))?.status).toBe("active");
    expect(await stack.deps.store.get(pendingSid)).toMatchObject({ status: "pending" });
  });

  it("another subscriber's id under the original signature is refused everywhere", async () => {
    const stolen = [...realTokens(), b.unsubscribe].map((t) =>
      withPayload(t, (p) => Object.assign(p, { s: p.s === b.sid ? a.sid : b.sid })),
    );
    for (const t of stolen) expect(payloadOf(t)?.s).not.toBe(undefined);
    await expectRefused(stolen.flatMap((t) => everywhere(t)));
    expect((await subscriber(b.email))?.status).toBe("active");
  });

  it("/c/ only ever redirects to a link target defined in content (property)", async () => {
    const { links } = stack.course.funnel;
    const targets = Object.values(links);
    const generation = (await stack.deps.store.get(a.sid))?.generation;
    const sign = (sid: string, link: string) => {
      try {
        const token = stack.deps.tokens.sign({
          purpose: "email",
          sid,
          generation,
          emailId: "welcome",
          expiresAt: clock.now() + DAY_MS,
        });
        return `${enc(link)}/${token}`;
      } catch {
        return undefined;
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sid: fc.oneof(fc.constant(a.sid), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)),
          link: fc.oneof(
            fc.constantFrom(...Object.keys(links), "constructor", "lesson-1:guide", "evil"),
            fc.stringMatching(/^[a-z0-9:-]{1,64}$/),
          ),
          method: fc.constantFrom("GET", "HEAD"),
          query: fc.constantFrom(
            "",
            "?url=https://evil.example/",
            "?next=//evil.example&to=https%3A%2F%2Fevil.example&t=x",
          ),
        }),
        async ({ sid, link, method, query }) => {
          const token = sign(sid, link);
          fc.pre(token !== undefined);
          const res = await request(`/c/${token}${query}`, {
            method,
            redirect: "manual",
          });
          expect(res.status).toBeLessThan(500);
          const location = res.headers.get("location");
          if (location === null) expect(res.status).toBeGreaterThanOrEqual(400);
          else expect(targets).toContain(location);
        },
      ),
      {
        numRuns: 300,
        examples: [[{ sid: "x", link: "constructor", method: "GET", query: "" }]],
      },
    );
  });
});

describe("mail scanners change nothing", () => {
  const SCANNER_UAS = [
    "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
    "Barracuda Sentinel (EE)",
    "Mimecast-URL-Protect/1.0",
  ];
  const BROWSER_UA =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

  /** Local links of an email: every href plus the List-Unsubscribe URL. */
  const localLinks = (mail: StoredEmail) => {
    const unsub = header(mail, "List-Unsubscribe")?.slice(1, -1);
    return [...allHrefs(mail), ...(unsub ? [unsub] : [])].filter((h) =>
      h.startsWith(`${stack.siteUrl}/`),
    );
  };

  /** One request as a scanner makes it (no cookies), following redirects by hand. */
  async function visit(url: string, method: "GET" | "HEAD", ua: string) {
    let next: string | null = url;
    for (let hops = 0; next && hops < 5; hops++) {
      const res: Response = await fetch(new URL(next, stack.siteUrl), {
        method,
        headers: { "user-agent": ua },
        redirect: "manual",
      });
      await res.arrayBuffer();
      expect(res.status, `${method} ${pathOf(next)}`).toBeLessThan(500);
      expect(res.headers.get("set-cookie") ?? "", `${method} ${pathOf(next)}`).not.toMatch(
        /hh_view/,
      );
      next = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    }
  }

  async function visitAll(jobs: [string, "GET" | "HEAD", string][]) {
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(jobs.slice(i, i + 8).map(([u, m, ua]) => visit(u, m, ua)));
    }
  }

  /** A scanner pre-fetching a fresh delivery: even a browser-like GET counts as a scanner. */
  async function scanFresh(mail: StoredEmail[]) {
    clock.advance(5_000);
    const before = await scanTable(stack.dynamoEndpoint);
    const jobs = mail.flatMap(localLinks).flatMap((u): [string, "GET" | "HEAD", string][] => [
      [u, "GET", BROWSER_UA],
      [u, "HEAD", BROWSER_UA],
    ]);
    await visitAll(jobs);
    expectOnlyScannerClicks(before, await scanTable(stack.dynamoEndpoint));
    return jobs.length;
  }

  it("following every link of every email with GET and HEAD confirms, unsubscribes and counts nobody", async () => {
    const pending = "scan.pending@example.com";
    const active = "scan.active@example.com";
    expect((await signupJson({ email: pending, firstName: "Scanpend" })).status).toBe(202);
    await scanFresh(await inbox(stack.inboxUrl, pending));
    expect((await signupJson({ email: active, firstName: "Scanact" })).status).toBe(202);
    const [confirmation] = await inbox(stack.inboxUrl, active);
    await scanFresh([confirmation as StoredEmail]);
    expect((await subscriber(active))?.status).toBe("pending");

    // The person confirms (a POST, as the confirm page does); then each delivery is scanned.
    const url = linkIn(confirmation?.body.html ?? "", `${stack.siteUrl}/confirm?t=`);
    expect((await request(pathOf(url), { method: "POST" })).status).toBe(200);
    await stack.drain();
    let seen = 1;
    let fresh = 0;
    for (let step = 0; step < 40 && seen < 5; step++) {
      const mail = await inbox(stack.inboxUrl, active);
      if (mail.length > seen) {
        fresh += await scanFresh(mail.slice(seen));
        seen = mail.length;
      }
      clock.advance(0.5 * DAY_MS);
      await stack.tick();
    }
    expect(seen).toBe(5); // confirmation, welcome, three lessons
    expect(fresh).toBeGreaterThan(20);

    // Later, every link of every email in the inbox: HEAD, and GET as known scanners.
    const all = await inbox(stack.inboxUrl);
    const before = await scanTable(stack.dynamoEndpoint);
    const jobs = all.flatMap(localLinks).flatMap((u, i): [string, "GET" | "HEAD", string][] => [
      [u, "HEAD", BROWSER_UA],
      [u, "GET", SCANNER_UAS[i % SCANNER_UAS.length] as string],
      // A plain GET long after delivery is a person (and may be counted); pages are safe.
      ...(u.includes("/c/") ? [] : [[u, "GET", BROWSER_UA] as [string, "GET", string]]),
    ]);
    expect(jobs.length).toBeGreaterThan(100);
    await visitAll(jobs);
    expectOnlyScannerClicks(before, await scanTable(stack.dynamoEndpoint));
    expect((await subscriber(pending))?.status).toBe("pending");
    expect((await subscriber(active))?.status).toBe("active");
    const clicks = await stack.deps.store.clicks(sidFor(stack.deps, active));
    expect(clicks.length).toBeGreaterThan(0);
    expect(clicks.every((c) => c.scanner)).toBe(true);
    // Hundreds of requests: room for a busy machine.
  }, 120_000);
});

describe("user text is escaped in every page and email", () => {
  const NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    `O'Brien & "Sons"`,
    "سارا 🌸",
  ];

  it("a Unicode local part is refused with a message that says why", async () => {
    const res = await signupJson({ email: "zoë@example.com" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/before the @/);
  });

  it("an IDN domain is accepted and stored in punycode", async () => {
    expect((await signupJson({ email: "ana@bücher.example" })).status).toBe(202);
    expect((await subscriber("ana@xn--bcher-kva.example"))?.email).toBe(
      "ana@xn--bcher-kva.example",
    );
    expect((await signupJson({ email: "user@example.xn--p1ai" })).status).toBe(202);
    expect((await subscriber("user@example.xn--p1ai"))?.status).toBe("pending");
  });

  it("a name with text-direction controls is refused, and nothing is stored", async () => {
    for (const firstName of ["Eve\u202Egnp.exe", "\u2067Ana\u2069"]) {
      const email = "bidi@example.com";
      const res = await signupJson({ email, firstName });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/first name/);
      expect(await subscriber(email)).toBeUndefined();
    }
  });
  const ENTITIES: Record<string, string> = {
    "&": "&(?:amp|#38|#x26);",
    "<": "&(?:lt|#60|#x3c);",
    ">": "&(?:gt|#62|#x3e);",
    '"': "&(?:quot|#34|#x22);",
    "'": "&(?:apos|#39|#x27);",
  };
  /** The name as it must appear in HTML: every special character as an entity. */
  const escaped = (name: string) =>
    new RegExp(
      [...name]
        .map((ch) =>
          ENTITIES[ch] ? `(?:${ENTITIES[ch]})` : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join(""),
      "i",
    );
  function expectEscaped(html: string, name: string, where: string) {
    expect(html, where).not.toMatch(/<script>alert|<img src=x/i);
    if (/[<>&"']/.test(name)) expect(html, where).not.toContain(name);
    expect(html, where).toMatch(escaped(name));
  }

  it("in the confirmation, welcome and lesson emails, and on the confirmed and manage pages", async () => {
    const pages: { name: string; email: string; confirmed: string; manage: string }[] = [];
    for (const [i, name] of NAMES.entries()) {
      const email = `esc${i}@example.com`;
      const { confirmedPage, welcome } = await signUpAndConfirm(email, name);
      const manage = await request(pathOf(linksOf(welcome).manage));
      expect(manage.status).toBe(200);
      pages.push({ name, email, confirmed: confirmedPage, manage: await manage.text() });
    }
    await live(1.25);
    for (const { name, email, confirmed, manage } of pages) {
      expectEscaped(confirmed, name, `confirmed page for ${email}`);
      expectEscaped(manage, name, `manage page for ${email}`);
      const mail = await inbox(stack.inboxUrl, email);
      expect(mail.length, email).toBeGreaterThanOrEqual(3);
      const [confirmation, ...marketing] = mail;
      // Before they confirm, none of their text is in our mail.
      expect(`${confirmation?.body.html}${confirmation?.body.text}`).not.toContain(name);
      for (const m of marketing) {
        expectEscaped(m.body.html, name, `${m.subject} to ${email}`);
        expect(m.body.text, `${m.subject} to ${email}`).toContain(name);
        expect(m.subject).not.toMatch(/[\r\n]/);
        for (const h of m.headers ?? []) expect(h.value).not.toMatch(/[\r\n]/);
      }
    }
  });

  it("when a refused form post echoes what was typed", async () => {
    for (const name of NAMES) {
      const res = await signupForm({ email: `"><script>alert(2)</script>`, firstName: name });
      expect(res.status).toBe(400);
      const html = await res.text();
      expectEscaped(html, name, `landing page echoing ${name}`);
      expect(html).not.toContain("<script>alert(2)");
    }
  });
});

describe("logs", () => {
  it("carry no email address, first name or token, through a whole journey and its refusals", async () => {
    const email = "pii.person+hips@example.org";
    const name = "Zephyrine";
    // Refusals of every kind first: a bad address, a long name, a bot, a flood, a burst.
    expect((await signupJson({ email: `pii person@example.org`, firstName: name })).status).toBe(
      400,
    );
    expect((await signupJson({ email, firstName: `${name}\u0007` })).status).toBe(400);
    expect((await signupJson({ email, firstName: name, website: "x" })).status).toBe(202);
    const ip = "198.51.100.200";
    for (let i = 0; i <= SIGNUP_RATE_LIMIT.burst; i++)
      await signupJson({ email, firstName: name }, ip);
    const { welcome } = await signUpAndConfirm(email, name);
    const links = linksOf(welcome);
    await request(pathOf(links.manage));
    await request(pathOf(links.manage).replace("/manage?", "/manage/export?"), {
      method: "POST",
    });
    clock.advance(60_000);
    const click = await request(pathOf(links.tracked.masterclass as string));
    expect(click.status).toBe(302);
    const cookie = click.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^hh_view=/);
    const play = await request("/api/events/play", {
      method: "POST",
      headers: { cookie },
    });
    expect(play.status).toBe(204);
    await live(2);
    await request(pathOf(links.unsubscribe), {
      method: "POST",
      headers: { "content-type": FORM_TYPE },
      body: "List-Unsubscribe=One-Click",
    });
    expect((await subscriber(email))?.status).toBe("unsubscribed");
    expect((await signupJson({ email, firstName: name })).status).toBe(202);
    await request(pathOf(links.manage).replace("/manage?", "/manage/erase?"), {
      method: "POST",
      headers: { "content-type": FORM_TYPE },
      body: "confirm=yes",
    });
    expect(await subscriber(email)).toBeUndefined();

    // Everything logged in this file, and anything printed to the console.
    expect(logLines.length).toBeGreaterThan(20);
    const names = [...usedNames, name].filter((n) => n.trim().length >= 4);
    const secrets = [
      ...[...usedEmails, email].map((e) => ({ what: "address", text: e })),
      ...names.map((n) => ({ what: "name", text: n })),
      ...names.map((n) => ({ what: "name (JSON)", text: JSON.stringify(n).slice(1, -1) })),
    ];
    const patterns = [
      { what: "token", re: /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/ },
      { what: "address", re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/ },
      { what: "encoded @", re: /%40|\\u0040/i },
    ];
    const leaks: string[] = [];
    for (const line of [...logLines, ...consoleLines]) {
      const lower = line.toLowerCase();
      for (const { what, re } of patterns) if (re.test(line)) leaks.push(`${what}: ${line}`);
      for (const { what, text } of secrets) {
        if ((what === "address" ? lower : line).includes(text)) leaks.push(`${what}: ${line}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

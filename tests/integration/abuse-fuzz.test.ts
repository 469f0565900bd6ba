import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { sidFor } from "../../functions/funnel/subscriptions";
import { issueStamp } from "../../functions/http/stamp";
import {
  abuseStack,
  expectErrorPage,
  expectJsonError,
  FORM_TYPE,
  JSON_TYPE,
  scanTable,
  subscriberItems,
} from "./abuse";
import { badSignup, brokenQuery, enc, garbageToken, mutatedToken } from "./abuse-inputs";
import { inbox, linkIn } from "./inbox";

const env = abuseStack();
const { recorder, freshIp, request, tokenOf, signupJson, signUpAndConfirm, linksOf } = env;

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
    const [pendingConfirm] = await inbox(env.stack.inboxUrl, pending);
    const links = linksOf(welcome);
    realTokens = {
      confirm: [
        tokenOf(confirmUrl),
        tokenOf(linkIn(pendingConfirm?.body.html ?? "", `${env.stack.siteUrl}/confirm?t=`)),
      ],
      email: [
        tokenOf(links.unsubscribe),
        ...Object.values(links.tracked).map((u) => u.split("/").at(-1) as string),
      ],
      stamp: [issueStamp(env.stack.deps)],
    };
    sids = [sidFor(env.stack.deps, active), sidFor(env.stack.deps, pending)];
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
    const before = subscriberItems(await scanTable(env.stack.dynamoEndpoint));
    const mailBefore = (await inbox(env.stack.inboxUrl)).length;
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
    expect(subscriberItems(await scanTable(env.stack.dynamoEndpoint))).toEqual(before);
    expect(await inbox(env.stack.inboxUrl)).toHaveLength(mailBefore);
  }

  const pageRefusal = (res: Response, text: string) => {
    if (res.status === 413) return expect(res.status).toBe(413); // body limit, before any page
    expectErrorPage(res.status, res.headers.get("content-type"), text);
  };

  it("POST /api/subscribe", async () => {
    await fuzz(
      badSignup(freshIp, () => issueStamp(env.stack.deps)),
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

  for (const action of ["export", "erase", "links"]) {
    it(`POST /manage/${action}`, async () => {
      await fuzz(
        fc.tuple(badQueryFor("email"), anyBody, anyType),
        ([q, body, type]) =>
          request(`/manage/${action}${q}`, {
            method: "POST",
            // From the site's own page, so the token itself is what gets refused.
            headers: { origin: env.stack.siteUrl, ...(type ? { "content-type": type } : {}) },
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

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../functions/core/schedule";
import { sidFor } from "../../functions/funnel/subscriptions";
import { issueStamp } from "../../functions/http/stamp";
import { abuseStack, expectErrorPage, FORM_TYPE, scanTable, subscriberItems } from "./abuse";
import { enc, payloadOf, withPayload } from "./abuse-inputs";
import { inbox, linkIn } from "./inbox";

const env = abuseStack();
const { clock, recorder, request, tokenOf, signupJson, subscriber, signUpAndConfirm, linksOf } =
  env;

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
      sid: sidFor(env.stack.deps, email),
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
    const [mail] = await inbox(env.stack.inboxUrl, email);
    pendingConfirm = tokenOf(linkIn(mail?.body.html ?? "", `${env.stack.siteUrl}/confirm?t=`));
    pendingSid = sidFor(env.stack.deps, email);
  });

  const ownPage = () => ({ "content-type": FORM_TYPE, origin: env.stack.siteUrl });

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
    // Posts from the site's own page (Origin), so the token is what gets refused.
    manage: (t: string): [string, RequestInit][] => [
      [`/manage?t=${enc(t)}`, {}],
      [`/manage/links?t=${enc(t)}`, { method: "POST", headers: ownPage() }],
      [`/manage/export?t=${enc(t)}`, {}],
      [`/manage/export?t=${enc(t)}`, { method: "POST", headers: ownPage() }],
      [`/manage/erase?t=${enc(t)}`, {}],
      [`/manage/erase?t=${enc(t)}`, { method: "POST", headers: ownPage(), body: "confirm=yes" }],
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
    const before = subscriberItems(await scanTable(env.stack.dynamoEndpoint));
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
    expect(subscriberItems(await scanTable(env.stack.dynamoEndpoint))).toEqual(before);
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
    const { tokens, store } = env.stack.deps;
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
    const [first, second] = await inbox(env.stack.inboxUrl, email);
    const oldToken = tokenOf(linkIn(first?.body.html ?? "", `${env.stack.siteUrl}/confirm?t=`));
    const newToken = tokenOf(linkIn(second?.body.html ?? "", `${env.stack.siteUrl}/confirm?t=`));
    clock.advance(DAY_MS + 60_000);
    await expectRefused(ENDPOINTS.confirm(oldToken));
    expect((await subscriber(email))?.status).toBe("pending");
    const res = await request(`/confirm?t=${newToken}`, { method: "POST" });
    expect(res.status).toBe(303);
    await env.stack.drain();
    expect((await subscriber(email))?.status).toBe("active");
  });

  it("tokens are refused at every endpoint they were not made for", async () => {
    // An email's one token serves its unsubscribe, manage and click links, and nothing else.
    expect(new Set([a.unsubscribe, a.manage, a.click]).size).toBe(1);
    await expectRefused([
      ...ENDPOINTS.confirm(a.unsubscribe),
      ...everywhere(pendingConfirm, "confirm"),
      ...everywhere(issueStamp(env.stack.deps)),
    ]);
    expect((await subscriber(a.email))?.status).toBe("active");
    expect(await env.stack.deps.store.get(pendingSid)).toMatchObject({ status: "pending" });
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
    const { links } = env.stack.course.funnel;
    const targets = Object.values(links);
    const generation = (await env.stack.deps.store.get(a.sid))?.generation;
    const sign = (sid: string, link: string) => {
      try {
        const token = env.stack.deps.tokens.sign({
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

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { ownerAction } from "../../functions/funnel/owner";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { forwardedFor } from "../../functions/http/context";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn } from "./inbox";

let stack: LocalStack;
const clock = new ManualClock();
const OWNER = "clara@yogaforhealthyhips.com";
let ip = 0;
/** Each request from its own client address unless one is given (the login limit is per address). */
const nextIp = () => `203.0.113.${++ip % 250}`;

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger, clientIp: forwardedFor });
});
afterAll(async () => {
  await stack?.stop();
});

function post(
  path: string,
  fields: Record<string, string>,
  opts: { cookie?: string; origin?: string | null; from?: string } = {},
) {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    "x-forwarded-for": opts.from ?? nextIp(),
  };
  if (opts.origin !== null) headers.origin = opts.origin ?? stack.siteUrl;
  if (opts.cookie) headers.cookie = opts.cookie;
  return fetch(`${stack.siteUrl}${path}`, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}
const get = (path: string, cookie?: string) =>
  fetch(`${stack.siteUrl}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });

async function loginLink(): Promise<string> {
  const before = (await inbox(stack.inboxUrl, OWNER)).length;
  clock.advance(61_000);
  expect((await post("/admin/login", { email: OWNER })).status).toBe(200);
  // The link is a job on the send queue, sent by the paced sender like every email.
  await stack.drain();
  const mail = await inbox(stack.inboxUrl, OWNER);
  expect(mail).toHaveLength(before + 1);
  return linkIn(mail.at(-1)?.body.html ?? "", `${stack.siteUrl}/admin/login?t=`);
}

async function signIn(): Promise<string> {
  const t = new URL(await loginLink()).searchParams.get("t") ?? "";
  const res = await post("/admin/login/complete", { t });
  expect(res.status).toBe(303);
  return res.headers.get("set-cookie")?.split(";")[0] ?? "";
}

describe("owner sign-in", () => {
  it("asks for an address; only an owner gets a link, everyone gets the same answer", async () => {
    const res = await get("/admin");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login");
    expect((await get("/admin/login")).status).toBe(200);

    const stranger = await post("/admin/login", { email: "mallory@example.com" });
    const owner = await post("/admin/login", { email: " Clara@YogaForHealthyHips.com " });
    expect(stranger.status).toBe(owner.status);
    expect(await stranger.text()).toBe(await owner.text());
    await stack.drain();
    expect(await inbox(stack.inboxUrl, "mallory@example.com")).toHaveLength(0);
    const mail = await inbox(stack.inboxUrl, OWNER);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toMatch(/^Sign in to /);
  });

  it("the link signs in once, by POST only, within 15 minutes; the session cookie is strict", async () => {
    const link = await loginLink();
    const t = new URL(link).searchParams.get("t") ?? "";
    // A GET (a mail scanner) shows a button and signs nobody in.
    const page = await get(`/admin/login?t=${t}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("set-cookie")).toBeNull();
    expect(await page.text()).toContain('action="/admin/login/complete"');

    // Two uses at once: exactly one wins.
    const both = await Promise.all([
      post("/admin/login/complete", { t }),
      post("/admin/login/complete", { t }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([303, 400]);
    const cookie = both.find((r) => r.status === 303)?.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^hh_owner=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).not.toMatch(/Secure/i); // plain http locally
    expect((await get("/admin", cookie.split(";")[0])).status).toBe(200);

    const late = new URL(await loginLink()).searchParams.get("t") ?? "";
    clock.advance(15 * 60_000 + 1);
    expect((await post("/admin/login/complete", { t: late })).status).toBe(400);
  });

  it("sets a Secure cookie on https, and a session ends after 12 hours", async () => {
    const t = new URL(await loginLink()).searchParams.get("t") ?? "";
    const res = await stack.app.request("https://127.0.0.1/admin/login/complete", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://127.0.0.1" },
      body: `t=${t}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
    const cookie = await signIn();
    expect((await get("/admin", cookie)).status).toBe(200);
    clock.advance(12 * 60 * 60_000 + 1);
    expect((await get("/admin", cookie)).status).toBe(303);
  });

  it("refuses POSTs from other origins or with no origin, signed in or not", async () => {
    const cookie = await signIn();
    expect(
      (await post("/admin/login", { email: OWNER }, { origin: "https://evil.example" })).status,
    ).toBe(403);
    expect((await post("/admin/find", { email: OWNER }, { cookie, origin: null })).status).toBe(
      403,
    );
    expect(
      (await post("/admin/find", { email: OWNER }, { cookie, origin: "https://evil.example" }))
        .status,
    ).toBe(403);
    // Without a session, nothing behind the login answers.
    expect((await post("/admin/find", { email: OWNER })).status).toBe(401);
  });

  it("limits sign-in requests per client address and sends at most one link a minute per owner", async () => {
    const from = "198.51.100.7";
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await post("/admin/login", { email: "x@example.com" }, { from })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);

    clock.advance(61_000);
    const before = (await inbox(stack.inboxUrl, OWNER)).length;
    await Promise.all([1, 2, 3].map(() => post("/admin/login", { email: OWNER })));
    await stack.drain();
    expect(await inbox(stack.inboxUrl, OWNER)).toHaveLength(before + 1);
  });
});

describe("the dashboard", () => {
  it("shows the funnel without any address; one subscriber's view shows theirs, with actions behind a confirm step", async () => {
    const deps = stack.deps;
    const email = "dana@example.com";
    await subscribe(deps, {
      email,
      firstName: "Dana",
      timeZone: "UTC",
      consent: { form: "landing", textVersion: "1" },
    });
    await stack.drain(); // the confirmation goes out before she confirms
    await confirm(deps, sidFor(deps, email));
    await stack.drain();
    const cookie = await signIn();

    const dash = await (await get("/admin", cookie)).text();
    expect(dash).toContain("Signed up");
    expect(dash).toContain("<svg");
    expect(dash).toContain("welcome");
    expect(dash).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    expect(dash).not.toMatch(/(src|href)="https?:/);

    const found = await post("/admin/find", { email }, { cookie });
    expect(found.status).toBe(303);
    const where = found.headers.get("location") ?? "";
    expect(where).toBe(`/admin/subscribers/${sidFor(deps, email)}`);
    const view = await (await get(where, cookie)).text();
    expect(view).toContain(email);
    expect(view).toContain("landing");

    // Pause: first a confirm page, then the change.
    const ask = await post(`${where}/pause`, {}, { cookie });
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('name="confirm"');
    expect((await deps.store.get(sidFor(deps, email)))?.pausedAt).toBeUndefined();
    expect((await post(`${where}/pause`, { confirm: "yes" }, { cookie })).status).toBe(303);
    const paused = await deps.store.get(sidFor(deps, email));
    expect(paused?.pausedAt).toBeDefined();
    expect(paused?.dueAt).toBeUndefined();
    clock.advance(30 * 86_400_000);
    await stack.tick();
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(2);
    // The session has long ended (12 hours); sign in again.
    const again = await signIn();
    expect((await post(`${where}/resume`, { confirm: "yes" }, { cookie: again })).status).toBe(303);
    await stack.drain();
    // Resumed where she was: the first lesson, once.
    const mail = await inbox(stack.inboxUrl, email);
    expect(mail.map((m) => m.subject)).toEqual([
      stack.course.confirm.subject,
      stack.course.welcome.subject,
      stack.course.lessons[0]?.subject,
    ]);

    expect((await post(`${where}/erase`, { confirm: "yes" }, { cookie: again })).status).toBe(303);
    expect(await deps.store.get(sidFor(deps, email))).toBeUndefined();
  });

  it("says plainly when a subscriber's next email goes: a time ahead, due now, or none once completed", async () => {
    const deps = stack.deps;
    const email = "esme@example.com";
    await subscribe(deps, {
      email,
      firstName: "Esme",
      timeZone: "UTC",
      consent: { form: "landing", textVersion: "1" },
    });
    await stack.drain();
    const sid = sidFor(deps, email);
    const nextEmail = async () => {
      const html = await (await get(`/admin/subscribers/${sid}`, await signIn())).text();
      return html.match(/<dt>Next email<\/dt>\s*<dd>([^<]*)<\/dd>/)?.[1];
    };
    expect(await nextEmail()).toBe("None until they confirm");

    await confirm(deps, sid);
    await stack.drain();
    const first = await deps.store.get(sid);
    const [lesson] = stack.course.lessons;
    expect(first?.nextId).toBe(lesson?.id);
    const at = (first?.dueAt ?? "").replace("T", " ").slice(0, 16);
    expect(await nextEmail()).toBe(`${lesson?.id}, ${at} UTC`);

    // Its time has come and no send round has run yet: due now, not a time in the past.
    clock.advance(Date.parse(first?.dueAt ?? "") - clock.now() + 60_000);
    expect(await nextEmail()).toBe(`${lesson?.id}, due now: goes out with the next send round`);

    // Through the whole sequence: the record keeps a dueAt (parked), the page shows none.
    for (let i = 0; i < 60 && (await deps.store.get(sid))?.status !== "completed"; i++) {
      clock.advance(86_400_000);
      await stack.tick();
    }
    const done = await deps.store.get(sid);
    expect(done?.status).toBe("completed");
    expect(done?.dueAt).toBeDefined();
    clock.advance(86_400_000);
    expect(await nextEmail()).toBe("None: sequence completed");

    await ownerAction(deps, sid, "unsubscribe");
    expect(await nextEmail()).toBe("None: unsubscribed");
    await ownerAction(deps, sid, "erase");
  }, 60_000);

  it("sends a test of any email to the signed-in owner only; nothing is recorded", async () => {
    const cookie = await signIn();
    const lesson = stack.course.lessons[1];
    const before = await stack.deps.store.counters.read([`email:${lesson?.id}` as const]);
    const res = await post("/admin/test-send", { email: lesson?.id ?? "" }, { cookie });
    expect(res.status).toBe(303);
    await stack.drain();
    const mail = await inbox(stack.inboxUrl, OWNER);
    expect(mail.at(-1)?.subject).toBe(`[Test] ${lesson?.subject}`);
    expect(mail.at(-1)?.body.html).toContain(stack.course.funnel.postalAddress);
    const after = await stack.deps.store.counters.read([`email:${lesson?.id}` as const]);
    expect(after).toEqual(before);
    expect((await post("/admin/test-send", { email: "nope" }, { cookie })).status).toBe(400);
  });
});

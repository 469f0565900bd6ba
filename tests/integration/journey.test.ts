import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { sidFor } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { header, inbox, linkIn, trackedLinks } from "./inbox";
import { ripeStamp } from "./stamp";

let stack: LocalStack;
const clock = new ManualClock();

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger });
});
afterAll(async () => {
  await stack?.stop();
});

/** A POST; signups carry a ripe form stamp and wait for the queued confirmation to go. */
async function post(path: string, body: unknown, type = "application/json") {
  const signup = path === "/api/subscribe";
  const stamp = signup ? ripeStamp(stack.deps) : "";
  const res = await fetch(`${stack.siteUrl}${path}`, {
    method: "POST",
    headers: { "content-type": type },
    body:
      type === "application/json"
        ? JSON.stringify(signup ? { stamp, ...(body as object) } : body)
        : `${String(body)}${signup ? `&stamp=${stamp}` : ""}`,
    redirect: "manual",
  });
  if (signup) await stack.drain();
  return res;
}

/** Moves the clock by `days` in small steps, running the scheduler at each, as the loop does. */
async function live(days: number, stepDays = 0.25) {
  for (let t = 0; t < days - 1e-9; t += stepDays) {
    clock.advance(stepDays * DAY_MS);
    await stack.tick();
  }
}

const subscriber = (email: string) => stack.deps.store.get(sidFor(stack.deps, email));

async function signUpAndConfirm(email: string, firstName: string) {
  expect((await post("/api/subscribe", { email, firstName })).status).toBe(202);
  const [confirmation] = await inbox(stack.inboxUrl, email);
  const url = linkIn(confirmation?.body.html ?? "", `${stack.siteUrl}/confirm?t=`);
  const res = await fetch(url, { method: "POST" });
  expect(res.status).toBe(200);
  await stack.drain();
  return url;
}

describe("the whole journey on the local stack", () => {
  it("signs up, confirms by POST only, gets the welcome at once and every lesson on time, in order", async () => {
    const email = "ana@example.com";
    const res = await post("/api/subscribe", { email, firstName: "Ana" });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ ok: true });

    const [confirmation, ...others] = await inbox(stack.inboxUrl, email);
    expect(others).toHaveLength(0);
    expect(confirmation?.subject).toBe(stack.course.confirm.subject);
    // Nothing the visitor typed reaches our mail before they confirm: no name in the greeting.
    expect(confirmation?.body.text).toContain("Hi there,");
    expect(`${confirmation?.body.text}${confirmation?.body.html}`).not.toContain("Ana");
    const confirmUrl = linkIn(confirmation?.body.html ?? "", `${stack.siteUrl}/confirm?t=`);
    expect(confirmation?.body.text).toContain(confirmUrl);

    // A GET (what a mail scanner does) shows the page and changes nothing.
    const page = await fetch(confirmUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('method="post"');
    await stack.drain();
    expect((await subscriber(email))?.status).toBe("pending");

    const confirmed = await fetch(confirmUrl, { method: "POST" });
    // The press lands on the masterclass, which says the email is confirmed.
    expect(confirmed.status).toBe(200);
    expect(new URL(confirmed.url).pathname + new URL(confirmed.url).search).toBe(
      "/masterclass?confirmed=1",
    );
    expect(await confirmed.text()).toContain("Your email is confirmed");
    await stack.drain();
    expect((await subscriber(email))?.status).toBe("active");

    // The welcome email goes out at once, without waiting for a scheduler tick.
    let mail = await inbox(stack.inboxUrl, email);
    expect(mail).toHaveLength(2);
    const welcome = mail[1];
    expect(welcome?.subject).toBe(stack.course.welcome.subject);
    const tracked = trackedLinks(welcome?.body.html ?? "", stack.siteUrl);
    expect(Object.keys(tracked).sort()).toEqual(["guide", "masterclass"]);
    const masterclassLink = tracked.masterclass as string;
    expect(welcome?.body.html).toContain(stack.course.funnel.postalAddress);
    expect(header(welcome as never, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect(header(welcome as never, "List-Unsubscribe")).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/u\?t=[\w.-]+>$/,
    );

    // Nothing more before the first delay has passed.
    const first = stack.course.lessons[0]?.delayDays ?? 1;
    clock.advance(first * DAY_MS * 0.9);
    await stack.tick();
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(2);

    // Then each lesson, once, in file order.
    const total = stack.course.lessons.reduce((d, l) => d + l.delayDays, 0);
    await live(total + 1);
    mail = await inbox(stack.inboxUrl, email);
    expect(mail.map((m) => m.subject)).toEqual([
      stack.course.confirm.subject,
      stack.course.welcome.subject,
      ...stack.course.lessons.map((l) => l.subject),
    ]);
    mail.slice(2).forEach((lesson, i) => {
      expect(lesson.body.text).toContain(stack.course.lessons[i]?.title ?? "no title");
      // Every link points at this site: no sample or placeholder address slipped through.
      for (const [, href] of lesson.body.html.matchAll(/href="([^"]+)"/g)) {
        expect(href?.startsWith(`${stack.siteUrl}/`), href).toBe(true);
      }
      expect(lesson.body.html).not.toMatch(/\{\{|\}\}/);
      expect(lesson.body.html).toContain(stack.course.funnel.postalAddress);
      expect(lesson.body.text).toMatch(/Unsubscribe/i);
      expect(header(lesson, "List-Unsubscribe")).toBeDefined();
    });
    const done = await subscriber(email);
    expect(done?.status).toBe("completed");
    // Parked for lessons appended later, in shards the scheduler never queries.
    expect(done?.dueShard).toMatch(/^done-\d$/);
    expect(done?.nextId).toBeUndefined();
    expect(done?.sends.map((s) => s.id)).toEqual([
      stack.course.welcome.id,
      ...stack.course.lessons.map((l) => l.id),
    ]);
    expect(done?.received).toEqual(done?.sends.map((s) => s.id));
    expect(done?.lastId).toBe(stack.course.lessons.at(-1)?.id);

    // Gaps between lessons follow the content's delays.
    const sentAt = (done?.sends ?? []).map((s) => Date.parse(s.at));
    stack.course.lessons.forEach((lesson, i) => {
      const gapDays = ((sentAt[i + 1] ?? 0) - (sentAt[i] ?? 0)) / DAY_MS;
      expect(gapDays).toBeGreaterThanOrEqual(lesson.delayDays);
      expect(gapDays).toBeLessThanOrEqual(lesson.delayDays + 0.25 + 1e-9);
    });

    // The tracked masterclass link redirects to the page defined in content.
    clock.advance(60_000);
    const click = await fetch(masterclassLink, { redirect: "manual" });
    expect([302, 303]).toContain(click.status);
    const target = new URL(click.headers.get("location") ?? "", stack.siteUrl);
    expect(target.pathname).toBe(stack.course.funnel.links.masterclass);
    const masterclass = await fetch(target);
    expect(masterclass.status).toBe(200);
    const html = await masterclass.text();
    expect(html).toContain(stack.course.funnel.masterclass.video.src);
    expect(html).toContain(stack.course.funnel.guide.path);
    // Pressing play on the video reports a real view, attributed through the click's cookie.
    const cookie = click.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^hh_view=/);
    const play = await fetch(`${stack.siteUrl}/api/events/play`, {
      method: "POST",
      headers: { cookie },
    });
    expect(play.status).toBe(204);
    const clicks = await stack.deps.store.clicks(sidFor(stack.deps, email));
    expect(clicks.map((c) => [c.link, c.scanner])).toEqual([
      ["masterclass", false],
      ["play", false],
    ]);

    // Every tracked link of every email they received, in the HTML and in the plain text
    // (buttons, body links and the course's next step after the last lesson alike), leads
    // where content says.
    const followed: string[] = [];
    for (const email of mail.slice(1)) {
      const inText = [...email.body.text.matchAll(/https?:\/\/[^\s<>()[\]]+\/c\/[^\s<>()[\]]+/g)];
      const hrefs = [
        ...Object.values(trackedLinks(email.body.html, stack.siteUrl)),
        ...inText.map((m) => m[0]),
      ];
      for (const href of hrefs) {
        const id = href.slice(`${stack.siteUrl}/c/`.length).split("/")[0] as string;
        const res = await fetch(href, { redirect: "manual" });
        expect(`${email.subject}: ${id} ${res.status}`).toBe(`${email.subject}: ${id} 302`);
        const to = new URL(res.headers.get("location") ?? "", stack.siteUrl).href;
        expect(to).toBe(new URL(stack.course.funnel.links[id] ?? "?", stack.siteUrl).href);
        followed.push(id);
      }
    }
    // The welcome's two buttons and the next step after the last lesson among them.
    expect(followed).toEqual(expect.arrayContaining(["masterclass", "guide", "classes"]));
  });

  it("re-signing up while active or completed changes nothing and sends nothing", async () => {
    const email = "ana@example.com";
    const before = await subscriber(email);
    const count = (await inbox(stack.inboxUrl, email)).length;
    clock.advance(DAY_MS);
    expect(
      (await post("/api/subscribe", { email: "  Ana@EXAMPLE.com ", firstName: "Someone" })).status,
    ).toBe(202);
    await stack.tick();
    // Progress and record unchanged; at most one email a day with their links again.
    const after = await inbox(stack.inboxUrl, email);
    expect(after).toHaveLength(count + 1);
    expect(after.at(-1)?.subject).toBe(stack.course.welcome.subject);
    expect(await subscriber(email)).toEqual(before);
    await post("/api/subscribe", { email });
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(count + 1);

    const carol = "carol@example.com";
    await signUpAndConfirm(carol, "Carol");
    await live(stack.course.lessons[0]?.delayDays ?? 1);
    const mid = await subscriber(carol);
    expect(mid?.lastId).toBe(stack.course.lessons[0]?.id);
    expect((await post("/api/subscribe", { email: carol, firstName: "Carol" })).status).toBe(202);
    const again = await subscriber(carol);
    expect(again?.lastId).toBe(stack.course.lessons[0]?.id);
    expect(again?.version).toBe(mid?.version);
    expect(await inbox(stack.inboxUrl, carol)).toHaveLength(4);
  });

  it("a confirmation job that waited while the person confirmed repeats nothing; a day later it sends the links", async () => {
    const email = "fay@example.com";
    await signUpAndConfirm(email, "Fay");
    const sid = sidFor(stack.deps, email);
    const sent = (await inbox(stack.inboxUrl, email)).map((m) => m.subject);
    expect(sent).toEqual([stack.course.confirm.subject, stack.course.welcome.subject]);
    // A second signup's job, still queued when the first email's link was pressed.
    await stack.deps.queue.enqueue([{ kind: "confirm", sid }]);
    await stack.drain();
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(2);
    clock.advance(DAY_MS);
    await stack.deps.queue.enqueue([{ kind: "confirm", sid }]);
    await stack.drain();
    const later = await inbox(stack.inboxUrl, email);
    expect(later).toHaveLength(3);
    expect(later.at(-1)?.subject).toBe(stack.course.welcome.subject);
  });

  it("one-click unsubscribe stops every later lesson", async () => {
    const email = "bob@example.com";
    await signUpAndConfirm(email, "Bob");
    await live(stack.course.lessons[0]?.delayDays ?? 1);
    const mail = await inbox(stack.inboxUrl, email);
    expect(mail).toHaveLength(3);
    const unsubscribeUrl = header(mail[2] as never, "List-Unsubscribe")?.slice(1, -1) ?? "";

    // GET and HEAD show a page; nothing changes.
    expect((await fetch(unsubscribeUrl)).status).toBe(200);
    expect((await fetch(unsubscribeUrl, { method: "HEAD" })).status).toBe(200);
    expect((await subscriber(email))?.status).toBe("active");

    const res = await post(
      new URL(unsubscribeUrl).pathname + new URL(unsubscribeUrl).search,
      "List-Unsubscribe=One-Click",
      "application/x-www-form-urlencoded",
    );
    expect(res.status).toBe(200);
    const gone = await subscriber(email);
    expect(gone?.status).toBe("unsubscribed");
    expect(gone?.dueAt).toBeUndefined();

    await live(30, 1);
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(3);
  });

  it("re-sends a pending confirmation at most once per 10 minutes", async () => {
    const email = "dora@example.com";
    for (let i = 0; i < 5; i++) await post("/api/subscribe", { email });
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(1);
    clock.advance(11 * 60_000);
    await post("/api/subscribe", { email });
    expect(await inbox(stack.inboxUrl, email)).toHaveLength(2);
    expect((await subscriber(email))?.status).toBe("pending");
  });

  it("serves the landing page, the thanks redirect for form posts, and the PDF guide", async () => {
    const landing = await fetch(`${stack.siteUrl}/`);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain(stack.course.funnel.landing.headline);

    const form = await post(
      "/api/subscribe",
      "email=erin%40example.com&firstName=Erin",
      "application/x-www-form-urlencoded",
    );
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/thanks");
    expect(await inbox(stack.inboxUrl, "erin@example.com")).toHaveLength(1);

    const pdf = await fetch(`${stack.siteUrl}${stack.course.funnel.guide.path}`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");

    expect((await fetch(`${stack.siteUrl}/healthz`)).status).toBe(200);
  });

  it("refuses bad input with a clear 4xx and stores nothing", async () => {
    const bad = await post("/api/subscribe", { email: "not-an-email", firstName: "X" });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toMatch(/email/);
    expect(body.issues[0]?.path).toBe("email");

    const big = await post("/api/subscribe", {
      email: "big@example.com",
      firstName: "x".repeat(10_000),
    });
    expect(big.status).toBe(413);
    expect(await subscriber("big@example.com")).toBeUndefined();
    expect(await subscriber("not-an-email")).toBeUndefined();
  });
});

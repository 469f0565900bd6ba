import { beforeAll, describe, expect, it } from "vitest";
import { DATA_LINKS_SUBJECT } from "../../emails/data-links";
import { DATA_LINKS_THROTTLE } from "../../functions/core/limits";
import { LINK_TTL_MS } from "../../functions/core/links";
import { confirm, feedback, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { abuseStack, scanTable } from "./abuse";
import { payloadOf } from "./abuse-inputs";
import { inbox, linkIn, type StoredEmail, trackedLinks } from "./inbox";

/**
 * The manage link in every email shows what we hold and a button; downloading and erasing take
 * a fresh single-purpose link that the button sends to the address, valid an hour.
 */

const env = abuseStack();
const { clock, request, pathOf, tokenOf } = env;
const FORM = "application/x-www-form-urlencoded";
/** The first name everyone here signs up with: it must appear in no data-links email or log. */
const NAME = "Adelheid";
env.usedNames.add(NAME);

/** A POST as the site's own page sends it: form-encoded, with the site's Origin. */
const post = (path: string, body = "", headers: Record<string, string> = {}) =>
  request(path, {
    method: "POST",
    headers: {
      "content-type": FORM,
      origin: env.stack.siteUrl,
      "x-forwarded-for": env.freshIp(),
      ...headers,
    },
    body,
  });

const sidOf = (email: string) => sidFor(env.stack.deps, email);
const mine = async (email: string) =>
  Object.keys(await scanTable(env.stack.dynamoEndpoint)).filter((k) =>
    k.startsWith(`SUB#${sidOf(email)} `),
  );

/** Signs up and confirms; returns the welcome email's manage link. */
async function subscribed(email: string) {
  env.usedEmails.add(email);
  await subscribe(env.stack.deps, {
    email,
    firstName: NAME,
    timeZone: "UTC",
    consent: { form: "test", textVersion: "1" },
  });
  await confirm(env.stack.deps, sidOf(email));
  await env.stack.drain();
  const welcome = (await inbox(env.stack.inboxUrl, email)).find((m) =>
    /manage\?t=/.test(m.body.html),
  );
  return linkIn(welcome?.body.html ?? "", `${env.stack.siteUrl}/manage?t=`);
}

const dataMails = async (email: string) =>
  (await inbox(env.stack.inboxUrl, email)).filter((m) => m.subject === DATA_LINKS_SUBJECT);

/** Presses "Email me a link" on the manage page of `manageUrl`; waits for the queue. */
async function press(manageUrl: string, headers: Record<string, string> = {}) {
  const res = await post(`/manage/links?t=${tokenOf(manageUrl)}`, "", headers);
  const text = await res.text();
  await env.stack.drain();
  return { status: res.status, text };
}

/** Every link in an email, HTML entities decoded. */
const hrefs = (m: StoredEmail) =>
  [...m.body.html.matchAll(/href="([^"]+)"/g)].map((x) =>
    (x[1] as string).replaceAll("&amp;", "&"),
  );

function dataLinksOf(m: StoredEmail) {
  return {
    exportUrl: linkIn(m.body.html, `${env.stack.siteUrl}/manage/export?t=`),
    eraseUrl: linkIn(m.body.html, `${env.stack.siteUrl}/manage/erase?t=`),
  };
}

describe("the manage link from an email", () => {
  it("shows what we hold and the button, and cannot download or erase", async () => {
    const email = "manage.only@example.com";
    const manage = await subscribed(email);
    const page = await request(pathOf(manage));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(email);
    expect(html).toContain(`action="/manage/links?t=${tokenOf(manage)}"`);
    expect(html).toContain("Email me a link");
    expect(html).not.toMatch(/action="\/manage\/(export|erase)/);

    const t = tokenOf(manage);
    for (const [path, body] of [
      [`/manage/export?t=${t}`, ""],
      [`/manage/erase?t=${t}`, "confirm=yes"],
    ] as const) {
      for (const res of [await request(path), await post(path, body)]) {
        expect(res.status, path).toBe(403);
        expect(res.headers.get("content-disposition")).toBeNull();
        const text = await res.text();
        expect(text).not.toContain(`"address"`);
        // A clear page that offers the button.
        expect(text).toContain(`action="/manage/links?t=${t}"`);
        expect(text).toContain("Email me a link");
      }
    }
    expect((await mine(email)).length).toBeGreaterThan(0);
    expect(await dataMails(email)).toEqual([]);
  });

  it("a press from anywhere but our own page is refused and sends nothing", async () => {
    const email = "cross.site@example.com";
    const manage = await subscribed(email);
    for (const origin of [undefined, "null", "https://evil.example"]) {
      const headers: Record<string, string> = { "content-type": FORM };
      if (origin) headers.origin = origin;
      const res = await request(`/manage/links?t=${tokenOf(manage)}`, {
        method: "POST",
        headers,
      });
      expect(res.status, String(origin)).toBe(403);
    }
    await env.stack.drain();
    expect(await dataMails(email)).toEqual([]);
  });
});

describe("email me a link", () => {
  const email = "fresh.links@example.com";
  let manage: string;
  let mail: StoredEmail;
  let sentAt: number;
  let sentPage: string;

  beforeAll(async () => {
    manage = await subscribed(email);
    sentAt = clock.now();
    const pressed = await press(manage);
    expect(pressed.status).toBe(200);
    expect(pressed.text).toContain("a link to download or erase your data is on its way");
    sentPage = pressed.text;
    const mails = await dataMails(email);
    expect(mails).toHaveLength(1);
    mail = mails[0] as StoredEmail;
  });

  it("sends one short email to the address with two single-purpose links, an hour each", async () => {
    expect(mail.destination.to).toEqual([email]);
    const { exportUrl, eraseUrl } = dataLinksOf(mail);
    // Besides the two links: the privacy notice only; no click tracking, no unsubscribe.
    const others = hrefs(mail).filter((h) => h !== exportUrl && h !== eraseUrl);
    expect(others).toEqual([`${env.stack.siteUrl}/privacy`]);
    expect(mail.headers?.some((h) => /^list-unsubscribe/i.test(h.name)) ?? false).toBe(false);
    expect(mail.body.text).toContain(exportUrl);
    expect(mail.body.text).toContain(eraseUrl);
    expect(mail.body.text).toMatch(/work for one hour/);
    expect(mail.body.text).toMatch(/pressed "Email me a link"/);
    // No visitor-typed text: not even the first name they gave.
    expect(mail.body.text).not.toContain(NAME);

    const sub = await env.stack.deps.store.get(sidOf(email));
    for (const [url, purpose] of [
      [exportUrl, "export"],
      [eraseUrl, "erase"],
    ] as const) {
      const p = payloadOf(tokenOf(url));
      expect(p).toMatchObject({ v: 2, p: purpose, s: sidOf(email), g: sub?.generation });
      expect(p?.e).toBe(sentAt + LINK_TTL_MS[purpose]);
      expect(LINK_TTL_MS[purpose]).toBe(3_600_000);
    }
  });

  it("the export link downloads the readable export; the email's token and the erase link do not", async () => {
    const { exportUrl, eraseUrl } = dataLinksOf(mail);
    const page = await request(pathOf(exportUrl));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`action="/manage/export?t=${tokenOf(exportUrl)}"`);
    // Used again within its hour: still works.
    for (let i = 0; i < 2; i++) {
      const res = await post(pathOf(exportUrl));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toMatch(/attachment/);
      expect(JSON.stringify(await res.json())).toContain(email);
    }
    // The erase link is for erasing only, the export link for downloading only.
    const wrong = await post(`/manage/export?t=${tokenOf(eraseUrl)}`);
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("content-disposition")).toBeNull();
    const wrongErase = await post(`/manage/erase?t=${tokenOf(exportUrl)}`, "confirm=yes");
    expect(wrongErase.status).toBe(403);
    expect(await env.stack.deps.store.get(sidOf(email))).toBeDefined();
    // The page's POST from another site is refused.
    const cross = await post(pathOf(exportUrl), "", { origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect(cross.headers.get("content-disposition")).toBeNull();
  });

  it("the download is written for a person: indented lines, and a link opened names its email", async () => {
    const welcome = (await inbox(env.stack.inboxUrl, email)).find(
      (m) => m.subject === env.stack.course.welcome.subject,
    );
    const guide = trackedLinks(welcome?.body.html ?? "", env.stack.siteUrl).guide ?? "";
    expect(guide).not.toBe("");
    const click = await request(pathOf(guide), {
      headers: { "x-forwarded-for": env.freshIp(), "user-agent": "Mozilla/5.0 Firefox/140" },
    });
    expect(click.status).toBe(302);
    // The click's record names the email the link was in.
    expect(await env.stack.deps.store.clicks(sidOf(email))).toContainEqual(
      expect.objectContaining({ link: "guide", email: env.stack.course.welcome.id }),
    );

    const res = await post(pathOf(dataLinksOf(mail).exportUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="my-data.json"');
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    const data = JSON.parse(text);
    expect(text).toBe(`${JSON.stringify(data, null, 2)}\n`);
    expect(text.split("\n").length).toBeGreaterThan(20);
    expect(data["Links you opened"]).toContainEqual(
      expect.objectContaining({
        What: 'Opened the "guide" link',
        "In the email": env.stack.course.welcome.subject,
      }),
    );
  });

  it("the fresh links work nowhere else: not as an email link, a click, a confirmation or a press", async () => {
    const { exportUrl, eraseUrl } = dataLinksOf(mail);
    const before = await mine(email);
    for (const t of [tokenOf(exportUrl), tokenOf(eraseUrl)]) {
      for (const [path, init] of [
        [`/manage?t=${t}`, {}],
        [`/u?t=${t}`, {}],
        [`/u?t=${t}`, { method: "POST", body: "List-Unsubscribe=One-Click" }],
        [`/confirm?t=${t}`, { method: "POST" }],
        [`/c/masterclass/${t}`, { redirect: "manual" }],
        [`/manage/links?t=${t}`, { method: "POST" }],
      ] as [string, RequestInit][]) {
        const res = init.method
          ? await post(path, String(init.body ?? ""))
          : await request(path, init);
        expect(res.status, path).toBe(400);
        expect(res.headers.get("location")).toBeNull();
      }
    }
    await env.stack.drain();
    expect(await dataMails(email)).toHaveLength(1);
    expect((await env.stack.deps.store.get(sidOf(email)))?.status).toBe("active");
    expect(await mine(email)).toEqual(before);
  });

  it("a second press within 10 minutes sends no second email, and the page says the same", async () => {
    clock.advance(DATA_LINKS_THROTTLE.gapMs - 60_000);
    const again = await press(manage);
    expect(again.status).toBe(200);
    expect(again.text).toBe(sentPage);
    expect(await dataMails(email)).toHaveLength(1);
    // After the 10 minutes, one more.
    clock.advance(60_000);
    await press(manage);
    expect(await dataMails(email)).toHaveLength(2);
  });

  it("one mailbox is one throttle: a+tag@ and a@ share it", async () => {
    const a = "mailbox.one@example.com";
    const tagged = "mailbox.one+hips@example.com";
    const manageA = await subscribed(a);
    const manageTagged = await subscribed(tagged);
    await press(manageA);
    await press(manageTagged);
    expect((await dataMails(a)).length + (await dataMails(tagged)).length).toBe(1);
  });

  it("one client pressing for many addresses: five, then one a minute; the page stays the same", async () => {
    const ip = "203.0.113.77";
    const addresses = Array.from({ length: 7 }, (_, i) => `many.${i}@example.com`);
    const manages: string[] = [];
    for (const a of addresses) manages.push(await subscribed(a));
    const pages: string[] = [];
    for (const [i, m] of manages.entries()) {
      const res = await press(m, { "x-forwarded-for": ip });
      expect(res.status).toBe(200);
      pages.push(res.text.replace(tokenOf(m), "T"));
      if (i === 5) clock.advance(60_000);
    }
    expect(new Set(pages).size).toBe(1);
    const sent = await Promise.all(addresses.map(async (a) => (await dataMails(a)).length));
    expect(sent).toEqual([1, 1, 1, 1, 1, 0, 1]);
  });

  it("an address we do not mail gets the same page and no email", async () => {
    const bounced = "bounced.links@example.com";
    const manageB = await subscribed(bounced);
    await feedback(env.stack.deps, sidOf(bounced), "bounced");
    const active = "active.links@example.com";
    const manageA = await subscribed(active);
    const b = await press(manageB);
    const a = await press(manageA);
    expect(b.status).toBe(a.status);
    expect(b.text.replace(tokenOf(manageB), "T")).toBe(a.text.replace(tokenOf(manageA), "T"));
    expect(await dataMails(bounced)).toEqual([]);
    expect(await dataMails(active)).toHaveLength(1);
  });

  it("after an hour the links are refused", async () => {
    const expiring = "expiring.links@example.com";
    const manageE = await subscribed(expiring);
    await press(manageE);
    const { exportUrl, eraseUrl } = dataLinksOf((await dataMails(expiring))[0] as StoredEmail);
    clock.advance(LINK_TTL_MS.export - 1);
    expect((await request(pathOf(exportUrl))).status).toBe(200);
    clock.advance(1);
    for (const res of [
      await request(pathOf(exportUrl)),
      await post(pathOf(exportUrl)),
      await post(pathOf(eraseUrl), "confirm=yes"),
    ]) {
      expect(res.status).toBe(410);
      expect(res.headers.get("content-disposition")).toBeNull();
      expect(await res.text()).toContain("expired");
    }
    expect(await env.stack.deps.store.get(sidOf(expiring))).toBeDefined();
  });

  it("the erase link erases, and every earlier link dies with it, the export link too", async () => {
    const leaving = "leaving.links@example.com";
    const manageL = await subscribed(leaving);
    await press(manageL);
    const { exportUrl, eraseUrl } = dataLinksOf((await dataMails(leaving))[0] as StoredEmail);
    const welcome = (await inbox(env.stack.inboxUrl, leaving)).find((m) =>
      /\/u\?t=/.test(m.body.html),
    );
    const unsubscribeUrl = linkIn(welcome?.body.html ?? "", `${env.stack.siteUrl}/u?t=`);

    const page = await request(pathOf(eraseUrl));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`action="/manage/erase?t=${tokenOf(eraseUrl)}"`);
    // Without the tick, nothing.
    expect((await post(pathOf(eraseUrl))).status).toBe(400);
    expect((await mine(leaving)).length).toBeGreaterThan(0);
    const erased = await post(pathOf(eraseUrl), "confirm=yes");
    expect(erased.status).toBe(200);
    expect(await erased.text()).toContain("Your data has been erased");
    expect(await mine(leaving)).toEqual([]);

    // Single use in effect, and nothing earlier works either.
    for (const [path, body] of [
      [pathOf(eraseUrl), "confirm=yes"],
      [pathOf(exportUrl), ""],
    ]) {
      const res = await post(path as string, body as string);
      expect(res.status, path).toBe(410);
      expect(res.headers.get("content-disposition")).toBeNull();
    }
    for (const url of [exportUrl, eraseUrl, manageL, unsubscribeUrl]) {
      expect((await request(pathOf(url))).status, url).toBe(410);
    }
    expect((await press(manageL)).status).toBe(410);

    // A new signup of the same address starts a new generation: the old links stay dead.
    await subscribed(leaving);
    expect((await post(pathOf(exportUrl))).status).toBe(410);
    expect((await request(pathOf(eraseUrl))).status).toBe(410);
    expect((await post(pathOf(eraseUrl), "confirm=yes")).status).toBe(410);
    expect((await request(pathOf(manageL))).status).toBe(410);
    expect(await env.stack.deps.store.get(sidOf(leaving))).toBeDefined();
  });
});

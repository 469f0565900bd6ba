import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn } from "../integration/inbox";
import { launch } from "./browser";
import { expectFitsWidth, PHONE } from "./layout";

let stack: LocalStack;
/** The system clock, moved on by hand: one sign-in link a minute per owner. */
let skewMs = 0;
const clock = { now: () => Date.now() + skewMs };
let browser: Browser;
const OWNER = "clara@yogaforhealthyhips.com";

beforeAll(async () => {
  // Short course days: the layout test below gets a whole sequence in a few ticks.
  stack = await startLocalStack({ clock, logger: silentLogger, daySeconds: 0.02 });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the owner in a real browser", () => {
  it("signs in from the emailed link, sees the funnel, finds a subscriber and pauses them after confirming", async () => {
    const email = "eve@example.com";
    await subscribe(stack.deps, {
      email,
      firstName: "Eve",
      timeZone: "UTC",
      consent: { form: "landing", textVersion: "1" },
    });
    await confirm(stack.deps, sidFor(stack.deps, email));
    await stack.drain();

    const page = await browser.newPage();
    await page.goto(`${stack.siteUrl}/admin`);
    await page.fill("#email", OWNER);
    await page.click("button:has-text('Email me a sign-in link')");
    await page.waitForSelector("text=Check your inbox");
    await stack.drain();
    const mail = await inbox(stack.inboxUrl, OWNER);
    await page.goto(linkIn(mail.at(-1)?.body.html ?? "", `${stack.siteUrl}/admin/login?t=`));
    await page.click("button:has-text('Sign in')");
    await page.waitForSelector("text=Your funnel");
    expect(await page.textContent("body")).not.toContain(email);

    await page.fill("#find", email);
    await page.click("button:has-text('Find')");
    await page.waitForSelector(`h1:has-text("${email}")`);
    await page.click("button:has-text('Pause')");
    await page.click("button:has-text('Yes, pause')");
    await page.waitForSelector("text=Paused. Nothing is sent until you resume.");
    expect((await stack.deps.store.get(sidFor(stack.deps, email)))?.pausedAt).toBeDefined();
    await page.close();
  }, 90_000);

  it("no owner page is wider than a 390 px phone: wide tables scroll inside their card", async () => {
    // 46 characters with no space, and a real browser's long user agent in the consent.
    const email = "alexandra.vandenberghe.physiotherapy@example.org";
    await subscribe(stack.deps, {
      email,
      firstName: "Alexandra",
      timeZone: "America/Argentina/Buenos_Aires",
      consent: {
        form: "landing",
        textVersion: "1",
        ip: "2001:db8:85a3:8d3:1319:8a2e:370:7348",
        userAgent:
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      },
    });
    await confirm(stack.deps, sidFor(stack.deps, email));
    await stack.drain();
    const sid = sidFor(stack.deps, email);
    const until = Date.now() + 20_000;
    while (((await stack.deps.store.get(sid))?.sends.length ?? 0) < 7 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      await stack.tick();
    }
    for (const sent of await inbox(stack.inboxUrl, email)) {
      if (!sent.body.html.includes(`${stack.siteUrl}/c/`)) continue;
      await fetch(linkIn(sent.body.html, `${stack.siteUrl}/c/`), { redirect: "manual" });
    }

    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const fits = (name: string) => expectFitsWidth(page, `admin ${name}`);
    skewMs += 61_000; // a minute after the other test's sign-in link
    await page.goto(`${stack.siteUrl}/admin`);
    await fits("sign-in");
    await page.fill("#email", OWNER);
    await page.click("button:has-text('Email me a sign-in link')");
    await page.waitForSelector("text=Check your inbox");
    await fits("check inbox");
    await stack.drain();
    const mail = await inbox(stack.inboxUrl, OWNER);
    await page.goto(linkIn(mail.at(-1)?.body.html ?? "", `${stack.siteUrl}/admin/login?t=`));
    await fits("sign-in link");
    await page.click("button:has-text('Sign in')");
    await page.waitForSelector("text=Your funnel");
    await fits("dashboard");

    await page.fill("#find", email);
    await page.click("button:has-text('Find')");
    await page.waitForSelector(`h1:has-text("${email}")`);
    await expect(page.locator("table").first().locator("tbody tr").count()).resolves.toBe(7);
    await fits("subscriber");
    await page.click("button:has-text('Unsubscribe')");
    await page.waitForSelector("text=Unsubscribe this subscriber?");
    await fits("confirm action");

    await page.goto(`${stack.siteUrl}/admin`);
    await page.fill("#find", "nobody.with.this.rather.long.address@example.org");
    await page.click("button:has-text('Find')");
    await page.waitForLoadState();
    await fits("not found");

    const upload = async (csv: string) => {
      await page.goto(`${stack.siteUrl}/admin`);
      await page.setInputFiles("#csv", {
        name: "subscribers-exported-from-the-old-newsletter-service.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(csv),
      });
      await page.click("button:has-text('Import')");
      await page.waitForLoadState();
    };
    await upload(
      "email,firstName,timeZone\nnot-an-address,Bo,UTC\nbenedikt.schwarzenegger-oberhofer@example.org,Benedikt,Europe/Vienna\nbenedikt.schwarzenegger-oberhofer@example.org,Ben,UTC\n",
    );
    await page.waitForSelector("text=Nothing was imported");
    await fits("import refused");
    await upload("email,firstName\nkonstantina.papadopoulou-georgiou@example.org,Konstantina\n");
    await page.waitForSelector("h1:has-text('Imported')");
    await fits("import done");
    await context.close();
  }, 90_000);
});

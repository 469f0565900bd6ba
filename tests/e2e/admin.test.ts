import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn } from "../integration/inbox";
import { launch } from "./browser";

let stack: LocalStack;
let browser: Browser;
const OWNER = "clara@yogaforhealthyhips.com";

beforeAll(async () => {
  stack = await startLocalStack({ logger: silentLogger });
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
});

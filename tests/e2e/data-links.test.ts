import { readFile } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATA_LINKS_SUBJECT } from "../../emails/data-links";
import { inbox, linkIn, type StoredEmail } from "../integration/inbox";
import { chromiumPath, launch } from "./browser";
import { type RunningFunnel, startFunnel } from "./server";

/** Waits until `to` has an email that `match` accepts. */
async function waitForMail(
  inboxUrl: string,
  to: string,
  match: (m: StoredEmail) => boolean,
  timeoutMs = 20_000,
): Promise<StoredEmail> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = (await inbox(inboxUrl, to)).find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no matching email to ${to}`);
}

describe.skipIf(!chromiumPath)("my data, in Chromium", () => {
  let funnel: RunningFunnel;
  let browser: Browser;

  beforeAll(async () => {
    funnel = await startFunnel({ FUNNEL_DAY_SECONDS: "3600" });
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await funnel?.stop();
  });

  it("the manage link shows the page; its button emails a link; the emailed link downloads the data", async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const address = "mira@example.com";
    // Sign up and confirm as a person does.
    await page.goto(`${funnel.siteUrl}/`);
    await page.getByLabel(/email address/i).fill(address);
    await page.waitForTimeout(2100);
    await page.locator("form[data-signup] button[type=submit]").click();
    const confirmation = await waitForMail(funnel.inboxUrl, address, (m) =>
      m.body.html.includes("/confirm?t="),
    );
    await page.goto(linkIn(confirmation.body.html, `${funnel.siteUrl}/confirm?t=`));
    await page.getByRole("button", { name: /confirm/i }).click();
    await page.waitForLoadState();
    const welcome = await waitForMail(funnel.inboxUrl, address, (m) =>
      m.body.html.includes("/manage?t="),
    );
    const manageUrl = linkIn(welcome.body.html, `${funnel.siteUrl}/manage?t=`);

    // The manage link: what we hold and a button; no way to download or erase from here.
    await page.goto(manageUrl);
    await expect(page.locator("dl.summary").textContent()).resolves.toContain(address);
    await expect(page.getByRole("button", { name: /download|erase/i }).count()).resolves.toBe(0);
    // The email link's token at the download address: refused, with the button.
    await page.goto(manageUrl.replace("/manage?", "/manage/export?"));
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toMatch(
      /use a fresh link/,
    );
    await page.goto(manageUrl);
    await page.getByRole("button", { name: "Email me a link" }).click();
    await page.waitForLoadState();
    // The browser's own POST passed the Origin check and got the same page as always.
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
      "Check your inbox",
    );

    const mail = await waitForMail(
      funnel.inboxUrl,
      address,
      (m) => m.subject === DATA_LINKS_SUBJECT,
    );
    expect(mail.body.text).toMatch(/one hour/);
    const exportUrl = linkIn(mail.body.html, `${funnel.siteUrl}/manage/export?t=`);
    linkIn(mail.body.html, `${funnel.siteUrl}/manage/erase?t=`);

    await page.goto(exportUrl);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download my data" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("my-data.json");
    const saved = await download.path();
    const data = JSON.parse(await readFile(saved as string, "utf8"));
    expect(JSON.stringify(data)).toContain(address);
    await context.close();
  }, 90_000);
});

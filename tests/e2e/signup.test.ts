import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inbox, linkIn, type StoredEmail, trackedLinks } from "../integration/inbox";
import { chromiumPath, launch } from "./browser";
import { type RunningFunnel, startFunnel } from "./server";

const DAY_SECONDS = 2;

async function waitForMail(inboxUrl: string, to: string, count: number, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  let mail: StoredEmail[] = [];
  while (Date.now() < until) {
    mail = await inbox(inboxUrl, to);
    if (mail.length >= count) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `expected ${count} emails to ${to}, got ${mail.length}: ${mail.map((m) => m.subject).join(" | ")}`,
  );
}

describe.skipIf(!chromiumPath)("in Chromium, against npm start", () => {
  let funnel: RunningFunnel;
  let browser: Browser;
  const foreign: string[] = [];

  beforeAll(async () => {
    funnel = await startFunnel({ FUNNEL_DAY_SECONDS: String(DAY_SECONDS) });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await funnel?.stop();
  });

  it("goes from the landing page form to the masterclass page, and the lessons follow on the fast clock", async () => {
    const page = await browser.newPage();
    page.on("request", (r) => {
      if (!r.url().startsWith(funnel.siteUrl) && !r.url().startsWith("data:"))
        foreign.push(r.url());
    });
    await page.goto(`${funnel.siteUrl}/`);
    await expect(page.locator("h1").first().textContent()).resolves.toBeTruthy();
    await page.getByLabel(/first name/i).fill("Maya");
    await page.getByLabel(/email/i).fill("maya@example.com");
    // A person takes a moment to fill in a form; instant posts are treated as bots.
    await page.waitForTimeout(2100);
    await page.locator("form[data-signup] button[type=submit]").click();
    await page.locator("[aria-live]").filter({ hasText: /inbox/i }).waitFor();

    const [confirmation] = await waitForMail(funnel.inboxUrl, "maya@example.com", 1);
    const confirmUrl = linkIn(confirmation?.body.html ?? "", `${funnel.siteUrl}/confirm?t=`);
    // Opening the confirm page in a browser with scripts on (what a mail-security sandbox
    // does) changes nothing: still pending, no welcome email, after the page has settled.
    await page.goto(confirmUrl);
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(1500);
    expect(await inbox(funnel.inboxUrl, "maya@example.com")).toHaveLength(1);
    await expect(page.getByText(/confirming/i).count()).resolves.toBe(0);
    // One press of its one button confirms.
    await page.getByRole("button", { name: /confirm and watch the masterclass/i }).click();
    // It lands on the masterclass, which says so.
    await page
      .getByRole("status")
      .getByText(/your email is confirmed/i)
      .waitFor();
    expect(new URL(page.url()).pathname).toBe("/masterclass");
    // Opened again, the used link says so and leads to the masterclass.
    await page.goto(confirmUrl);
    await page.getByRole("heading", { name: /already confirmed/i }).waitFor();
    await page.getByRole("link", { name: /watch the masterclass/i }).waitFor();

    const mail = await waitForMail(funnel.inboxUrl, "maya@example.com", 2);
    const { masterclass } = trackedLinks(mail[1]?.body.html ?? "", funnel.siteUrl);
    expect(masterclass).toBeDefined();
    await page.goto(masterclass as string);
    expect(new URL(page.url()).pathname).toBe("/masterclass");
    await expect(page.locator("video").count()).resolves.toBe(1);
    const duration = await page.locator("video").evaluate(
      (v: HTMLVideoElement) =>
        new Promise<number>((resolve) => {
          if (v.readyState >= 1) resolve(v.duration);
          v.addEventListener("loadedmetadata", () => resolve(v.duration));
          v.addEventListener("error", () => resolve(-1));
        }),
    );
    expect(duration).toBeGreaterThan(1);
    const pdfHref = await page.locator('a[href$=".pdf"]').first().getAttribute("href");
    const pdf = await page.request.get(`${funnel.siteUrl}${pdfHref}`);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");

    // Lesson 1 is due one sequence day (here 2 s) after the welcome email.
    const withLesson = await waitForMail(funnel.inboxUrl, "maya@example.com", 3, 20_000);
    const gapSeconds = (withLesson[2]?.at ?? 0) - (withLesson[1]?.at ?? 0);
    expect(gapSeconds).toBeGreaterThanOrEqual(DAY_SECONDS - 1);
    // Loose on the late side: a busy machine delays ticks, never the other way round.
    expect(gapSeconds).toBeLessThanOrEqual(DAY_SECONDS + 8);
    expect(foreign).toEqual([]);
  });

  it("signs up without JavaScript through a plain form post", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${funnel.siteUrl}/`);
    await page.getByLabel(/first name/i).fill("Noor");
    await page.getByLabel(/email/i).fill("noor@example.com");
    await page.waitForTimeout(2100);
    await page.locator("form[data-signup] button[type=submit]").click();
    await page.waitForURL(`${funnel.siteUrl}/thanks`);
    await waitForMail(funnel.inboxUrl, "noor@example.com", 1);

    // Without script the confirm page waits for the button.
    const [confirmation] = await inbox(funnel.inboxUrl, "noor@example.com");
    await page.goto(linkIn(confirmation?.body.html ?? "", `${funnel.siteUrl}/confirm?t=`));
    expect(await inbox(funnel.inboxUrl, "noor@example.com")).toHaveLength(1);
    await page.getByRole("button", { name: /confirm/i }).click();
    await waitForMail(funnel.inboxUrl, "noor@example.com", 2);
    await context.close();
  });
});

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATA_LINKS_SUBJECT } from "../../emails/data-links";
import { inbox, linkIn, type StoredEmail } from "../integration/inbox";
import { chromiumPath, launch } from "./browser";
import { expectFitsWidth, PHONE } from "./layout";
import { type RunningFunnel, startFunnel } from "./server";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.x A and AA). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run({
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
}

async function waitForMail(inboxUrl: string, to: string, count: number, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  let mail: StoredEmail[] = [];
  while (Date.now() < until) {
    mail = await inbox(inboxUrl, to);
    if (mail.length >= count) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} emails to ${to}, got ${mail.length}`);
}

describe.skipIf(!chromiumPath)("every page, in Chromium", () => {
  let funnel: RunningFunnel;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    funnel = await startFunnel({ FUNNEL_DAY_SECONDS: "3600" });
    browser = await launch();
    // axe is injected by the test; the pages' own policy allows only their own scripts.
    context = await browser.newContext({ bypassCSP: true, viewport: PHONE });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await funnel?.stop();
  });

  it("suggests a fix for a mistyped domain, and after signing up shows the address with a way to change it", async () => {
    const page = await context.newPage();
    await page.goto(`${funnel.siteUrl}/`);
    expect(await seriousViolations(page)).toEqual([]);

    const email = page.getByLabel(/email address/i);
    await email.fill("rosa@gmial.com");
    await email.blur();
    const hint = page.locator("[data-suggest]");
    await expect(hint.textContent()).resolves.toBe("Did you mean rosa@gmail.com?");
    await hint.getByRole("button", { name: "rosa@gmail.com" }).click();
    await expect(email.inputValue()).resolves.toBe("rosa@gmail.com");
    await expect(hint.textContent()).resolves.toBe("");

    // A refused address: one whole sentence, the field marked, nothing else lost.
    await email.fill("rosa@example");
    await page.locator("form[data-signup] button[type=submit]").click();
    const status = page.locator("[data-status]");
    await status.filter({ hasText: /doesn’t look quite right/ }).waitFor();
    await expect(email.getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await seriousViolations(page)).toEqual([]);

    await email.fill("rosa@example.com");
    await page.waitForTimeout(2100); // people take a moment; instant posts count as bots
    await page.locator("form[data-signup] button[type=submit]").click();
    await status.filter({ hasText: "rosa@example.com" }).waitFor();
    await expect(status.textContent()).resolves.toMatch(
      /A confirmation email is on its way to rosa@example\.com\./,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await status.getByRole("button", { name: "Change it" }).click();
    await expect(email.isVisible()).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("signup-email");
    await page.close();
  }, 60_000);

  it.each(["/privacy", "/thanks", "/masterclass", "/no-such-page"])(
    "%s has no serious or critical accessibility violation",
    async (path) => {
      const page = await context.newPage();
      await page.goto(`${funnel.siteUrl}${path}`);
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    },
  );

  it("the confirm, confirmed, manage, unsubscribe and unsubscribed pages have none either", async () => {
    const page = await context.newPage();
    const address = "lee@example.com";
    // The stamp makes a signup without a rendered form a bot's: sign up like a person.
    await page.goto(`${funnel.siteUrl}/`);
    await page.getByLabel(/email address/i).fill(address);
    await page.waitForTimeout(2100);
    await page.locator("form[data-signup] button[type=submit]").click();
    const [confirmation] = await waitForMail(funnel.inboxUrl, address, 1);
    const confirmUrl = linkIn(confirmation?.body.html ?? "", `${funnel.siteUrl}/confirm?t=`);

    // Without the site script the confirm page waits for its button: check it as it stands.
    await page.route("**/assets/site.*.js", (route) => route.abort());
    await page.goto(confirmUrl);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: /confirm/i }).click();
    await page.waitForLoadState();
    expect(await seriousViolations(page)).toEqual([]);

    const [, welcome] = await waitForMail(funnel.inboxUrl, address, 2);
    const html = welcome?.body.html ?? "";
    await page.goto(linkIn(html, `${funnel.siteUrl}/manage?t=`));
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(linkIn(html, `${funnel.siteUrl}/u?t=`));
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: /unsubscribe/i }).click();
    await page.waitForLoadState();
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  }, 90_000);

  it("no page is wider than a 390 px phone, with a long address and name", async () => {
    const phone = await browser.newContext({ viewport: PHONE });
    const page = await phone.newPage();
    // 44 characters with no space: a line can break it only where the page allows.
    const address = "maria.jensen.christiansen.physio@example.org";
    const fits = (name: string) => expectFitsWidth(page, name);

    for (const path of ["/", "/privacy", "/thanks", "/masterclass", "/no-such-page"]) {
      await page.goto(`${funnel.siteUrl}${path}`);
      await fits(path.slice(1) || "landing");
    }
    await page.goto(`${funnel.siteUrl}/`);
    const email = page.getByLabel(/email address/i);
    await email.fill(address.replace("example.org", "gmial.com"));
    await email.blur();
    await page.locator("[data-suggest] button").waitFor();
    await fits("landing, typo suggested");
    await page.getByLabel(/first name/i).fill("Maria-Magdalena");
    await email.fill(address);
    await page.waitForTimeout(2100);
    await page.locator("form[data-signup] button[type=submit]").click();
    await page.locator("[data-status].is-ok").waitFor();
    await fits("landing, signed up");

    const [confirmation] = await waitForMail(funnel.inboxUrl, address, 1);
    await page.goto(linkIn(confirmation?.body.html ?? "", `${funnel.siteUrl}/confirm?t=`));
    await fits("confirm");
    await page.getByRole("button", { name: /confirm/i }).click();
    await page.waitForLoadState();
    await fits("confirmed");

    const [, welcome] = await waitForMail(funnel.inboxUrl, address, 2);
    const html = welcome?.body.html ?? "";
    await page.goto(linkIn(html, `${funnel.siteUrl}/manage?t=`));
    await expect(page.locator("dl.summary").textContent()).resolves.toContain(address);
    await fits("manage");
    await page.getByRole("button", { name: "Email me a link" }).click();
    await page.waitForLoadState();
    await fits("manage, links asked");
    const links = await waitForMail(funnel.inboxUrl, address, 3);
    const dataLinks = links.find((m) => m.subject === DATA_LINKS_SUBJECT)?.body.html ?? "";
    await page.goto(linkIn(dataLinks, `${funnel.siteUrl}/manage/export?t=`));
    await fits("download");
    await page.goto(linkIn(dataLinks, `${funnel.siteUrl}/manage/erase?t=`));
    await fits("erase");
    await page.goto(linkIn(html, `${funnel.siteUrl}/u?t=`));
    await fits("unsubscribe");
    await page.getByRole("button", { name: /unsubscribe/i }).click();
    await page.waitForLoadState();
    await fits("unsubscribed");
    await phone.close();
  }, 90_000);
});

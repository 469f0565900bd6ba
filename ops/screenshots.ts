import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { chromiumPath, launch } from "../tests/e2e/browser";
import { startFunnel } from "../tests/e2e/server";
import { inbox, linkIn, type StoredEmail } from "../tests/integration/inbox";

/**
 * `npm run screenshots [outDir]`: the whole product at a glance. Runs the funnel on a fast
 * clock, walks a visitor through it in Chromium and writes PNGs (default `screenshots/`,
 * git-ignored): every page at 390 and 1280 px wide, every email at 390 and 600 px, and every
 * page of the PDF guide (with poppler's `pdftoppm`). Then the subscriber's own data pages
 * (asking for fresh links, the download and erase pages before anything is done) and the
 * owner's side at both page widths: sign-in, the dashboard with this run's figures and one
 * subscriber's page.
 */
const OUT = resolve(process.argv[2] ?? "screenshots");
const PAGE_WIDTHS = [390, 1280];
const EMAIL_WIDTHS = [390, 600];
const ADDRESS = "maya@example.com";
/** Listed under `owners` in content/funnel.yaml, so the sign-in link is really sent. */
const OWNER = "clara@yogaforhealthyhips.com";

const written: string[] = [];

async function shoot(
  browser: Browser,
  name: string,
  widths: number[],
  show: (p: Page) => Promise<void>,
  storageState?: BrowserContextOptions["storageState"],
) {
  for (const width of widths) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, storageState });
    const page = await context.newPage();
    await show(page);
    await page.evaluate(() => document.fonts.ready);
    const file = join(OUT, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    written.push(file);
    await context.close();
  }
}

async function waitForMail(
  inboxUrl: string,
  count: number,
  address = ADDRESS,
  timeoutMs = 60_000,
): Promise<StoredEmail[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mail = await inbox(inboxUrl, address);
    if (mail.length >= count || Date.now() > until) return mail;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  if (!chromiumPath) throw new Error("Chromium is needed: apt-get install chromium");
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // One course day = 1 s, so the whole sequence arrives in well under a minute.
  const funnel = await startFunnel({ FUNNEL_DAY_SECONDS: "1" });
  const browser = await launch();
  const site = funnel.siteUrl;
  const go = (path: string) => async (p: Page) => {
    await p.goto(`${site}${path}`);
  };
  try {
    await shoot(browser, "01-landing", PAGE_WIDTHS, go("/"));
    await shoot(browser, "02-landing-typo", PAGE_WIDTHS, async (p) => {
      await p.goto(`${site}/`);
      await p.getByLabel(/email address/i).fill("maya@gmial.com");
      await p.getByLabel(/email address/i).blur();
      await p.locator("[data-suggest] button").waitFor();
    });
    await shoot(browser, "03-landing-error-no-script", PAGE_WIDTHS, async (p) => {
      await p.context().route("**/*.js", (r) => r.abort());
      await p.goto(`${site}/`);
      await p.getByLabel(/email address/i).fill("maya@example");
      await p.locator("form[data-signup] button[type=submit]").click();
      await p.waitForLoadState();
    });
    await shoot(browser, "04-privacy", PAGE_WIDTHS, go("/privacy"));
    await shoot(browser, "05-thanks", PAGE_WIDTHS, go("/thanks"));
    await shoot(browser, "06-not-found", PAGE_WIDTHS, go("/no-such-page"));

    // A real signup, as a person does it (the form's stamp wants a moment).
    await shoot(browser, "07-signed-up", [390], async (p) => {
      await p.goto(`${site}/`);
      await p.getByLabel(/first name/i).fill("Maya");
      await p.getByLabel(/email address/i).fill(ADDRESS);
      await p.waitForTimeout(2100);
      await p.locator("form[data-signup] button[type=submit]").click();
      await p.locator("[data-status].is-ok").waitFor();
    });
    const [confirmation] = await waitForMail(funnel.inboxUrl, 1);
    const confirmUrl = linkIn(confirmation?.body.html ?? "", `${site}/confirm?t=`);
    await shoot(browser, "08-confirm", PAGE_WIDTHS, async (p) => {
      await p.context().route("**/assets/site.*.js", (r) => r.abort());
      await p.goto(confirmUrl);
    });
    // Opening the link changes nothing; the person's press confirms.
    await shoot(browser, "09-confirmed", [390], async (p) => {
      await p.goto(confirmUrl);
      await p.getByRole("button", { name: /confirm/i }).click();
      await p.waitForLoadState();
      await p.locator("h1").waitFor();
    });
    await shoot(browser, "09-already-confirmed", [390], go(confirmUrl.slice(site.length)));
    await shoot(browser, "10-masterclass", PAGE_WIDTHS, go("/masterclass"));

    const mail = await waitForMail(funnel.inboxUrl, 8);
    const welcome = mail[1]?.body.html ?? "";
    await shoot(
      browser,
      "11-manage",
      PAGE_WIDTHS,
      go(linkIn(welcome, `${site}/manage?t=`).slice(site.length)),
    );
    await shoot(
      browser,
      "12-unsubscribe",
      PAGE_WIDTHS,
      go(linkIn(welcome, `${site}/u?t=`).slice(site.length)),
    );

    // Fresh download and erase links, asked for from the manage page (its only button).
    const manageUrl = linkIn(welcome, `${site}/manage?t=`);
    await shoot(browser, "13-manage-links-asked", [390], async (p) => {
      await p.goto(manageUrl);
      await p.getByRole("button", { name: /email me a link/i }).click();
      await p.waitForLoadState();
    });
    const withLinks = await waitForMail(funnel.inboxUrl, mail.length + 1);
    const dataLinks = withLinks.at(-1)?.body.html ?? "";
    // The GETs only show the pages: nothing is downloaded or erased here.
    await shoot(
      browser,
      "14-download-page",
      PAGE_WIDTHS,
      go(linkIn(dataLinks, `${site}/manage/export?t=`).slice(site.length)),
    );
    await shoot(
      browser,
      "15-erase-page",
      PAGE_WIDTHS,
      go(linkIn(dataLinks, `${site}/manage/erase?t=`).slice(site.length)),
    );

    // The owner: sign-in, the emailed link's page, the dashboard, one subscriber. Asking twice
    // shows the same page (the second ask sends nothing: one link a minute); the link's page
    // is a GET that only shows the button, so one link serves every width.
    await shoot(browser, "16-admin-sign-in", PAGE_WIDTHS, go("/admin"));
    await shoot(browser, "17-admin-check-inbox", PAGE_WIDTHS, async (p) => {
      await p.goto(`${site}/admin`);
      await p.fill("#email", OWNER);
      await p.click("button:has-text('Email me a sign-in link')");
      await p.waitForSelector("text=Check your inbox");
    });
    const [signIn] = (await waitForMail(funnel.inboxUrl, 1, OWNER)).slice(-1);
    const loginUrl = linkIn(signIn?.body.html ?? "", `${site}/admin/login?t=`);
    await shoot(browser, "18-admin-login", PAGE_WIDTHS, go(loginUrl.slice(site.length)));
    const context = await browser.newContext();
    const owner = await context.newPage();
    await owner.goto(loginUrl);
    await owner.click("button:has-text('Sign in')");
    await owner.waitForSelector("text=Your funnel");
    const session = await context.storageState();
    await context.close();
    await shoot(
      browser,
      "19-admin-dashboard",
      PAGE_WIDTHS,
      async (p) => {
        await p.goto(`${site}/admin`);
        await p.waitForSelector("text=Your funnel");
      },
      session,
    );
    await shoot(
      browser,
      "20-admin-subscriber",
      PAGE_WIDTHS,
      async (p) => {
        await p.goto(`${site}/admin`);
        await p.fill("#find", ADDRESS);
        await p.click("button:has-text('Find')");
        await p.waitForSelector(`h1:has-text("${ADDRESS}")`);
      },
      session,
    );

    for (const [i, email] of [...withLinks, signIn].entries()) {
      if (!email) continue;
      const name = `email-${String(i + 1).padStart(2, "0")}-${email.subject
        .replace(/[^a-z0-9]+/gi, "-")
        .slice(0, 40)
        .toLowerCase()}`;
      await shoot(browser, name, EMAIL_WIDTHS, async (p) => {
        await p.setContent(email.body.html, { waitUntil: "load" });
      });
      writeFileSync(join(OUT, `${name}.txt`), email.body.text);
    }

    const pdf = await fetch(`${site}/guide/5-poses-for-healthy-hips.pdf`);
    const pdfFile = join(OUT, "guide.pdf");
    writeFileSync(pdfFile, new Uint8Array(await pdf.arrayBuffer()));
    try {
      execFileSync("pdftoppm", ["-r", "80", "-png", pdfFile, join(OUT, "guide-page")]);
      written.push(join(OUT, "guide-page-*.png"));
    } catch {
      console.warn("pdftoppm not found (apt-get install poppler-utils): guide pages skipped");
    }
  } finally {
    await browser.close();
    await funnel.stop();
  }
  console.log(`${written.length} screenshots in ${OUT}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

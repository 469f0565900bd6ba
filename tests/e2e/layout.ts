import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

/** A phone's viewport: the narrowest width every page must fit without scrolling sideways. */
export const PHONE = { width: 390, height: 844 };

/**
 * How the page fits its viewport's width: the document's scroll width, the viewport's, and
 * the innermost elements that reach past the viewport's right edge or past the card they sit
 * in (empty when everything fits). Content inside a box that scrolls by itself
 * (`overflow-x:auto`) counts only through that box.
 */
export async function sidewaysOverflow(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number; past: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const clipped = (el: Element): boolean => {
      for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
        if (getComputedStyle(e).overflowX !== "visible") return true;
      }
      return false;
    };
    /** How far right the element may reach: the viewport, or the inside of its card's border. */
    const limit = (el: Element): number => {
      const card = el.parentElement?.closest(".card");
      if (!card) return innerWidth;
      const box = card.getBoundingClientRect();
      return Math.min(
        innerWidth,
        box.right - Number.parseFloat(getComputedStyle(card).borderRightWidth),
      );
    };
    const sticksOut = (el: Element) =>
      el.getBoundingClientRect().width > 0 &&
      el.getBoundingClientRect().right > limit(el) + 0.5 &&
      !clipped(el);
    const past = [...document.body.querySelectorAll("*")]
      .filter((el) => sticksOut(el) && ![...el.children].some(sticksOut))
      .map((el) => {
        const tag = el.tagName.toLowerCase();
        const cls = el.getAttribute("class")?.split(" ")[0];
        const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
        const right = Math.round(el.getBoundingClientRect().right);
        return `${tag}${cls ? `.${cls}` : ""} to ${right} px (limit ${Math.round(limit(el))}) "${text}"`;
      });
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth,
      past: [...new Set(past)],
    };
  });
}

/**
 * Fails unless the page is no wider than its viewport and nothing runs past its card's edge;
 * names what sticks out. With LAYOUT_SHOTS=<dir> it also saves a full-page screenshot of
 * what it checked, as <dir>/<name>.png.
 */
export async function expectFitsWidth(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  if (process.env.LAYOUT_SHOTS) {
    await page.screenshot({ path: join(process.env.LAYOUT_SHOTS, `${name}.png`), fullPage: true });
  }
  const fit = await sidewaysOverflow(page);
  const fits = fit.scrollWidth <= fit.innerWidth && fit.past.length === 0;
  expect(
    fits
      ? `${name} fits`
      : `${name}: ${fit.scrollWidth} px wide in ${fit.innerWidth} px; sticking out: ${fit.past.join("; ")}`,
  ).toBe(`${name} fits`);
}

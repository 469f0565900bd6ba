import type { SiteTexts } from "../core/content";
import { ADMIN_CSS } from "./admin/style";
import { siteCss } from "./pages/site-css";
import { siteJs } from "./pages/site-js";

/**
 * Build time only (infra/build/course.ts): the site's stylesheet with the brand accent baked
 * in, its script and the owner's stylesheet, compiled with the course. The web function
 * serves them from the compiled course rather than carrying their ~16 KiB of source in its
 * code.
 * @example const site = siteTexts(funnel.brand.accentColor);
 */
export function siteTexts(accentColor: string): SiteTexts {
  return { css: siteCss(accentColor), js: siteJs, adminCss: ADMIN_CSS };
}

import { createHash } from "node:crypto";
import type { Funnel } from "../core/content";
import { siteCss } from "./pages/site-css";
import { siteJs } from "./pages/site-js";

/** One static file the app serves under `/assets/`, keyed by its content-hashed path. */
export interface Asset {
  body: string;
  type: string;
}

export interface SiteAssets {
  /** Path -> file, e.g. "/assets/site.3f2a9c1b.css". Safe to cache forever (immutable). */
  assets: Record<string, Asset>;
  cssPath: string;
  jsPath: string;
}

function hashed(name: string, ext: string, body: string): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 8);
  return `/assets/${name}.${hash}.${ext}`;
}

const built = new Map<string, SiteAssets>();

/**
 * The stylesheet (with the brand's accent colour) and the script, under paths that change
 * whenever their content does. Built once per accent colour and then reused.
 *
 * @example
 * const { assets } = buildAssets(funnel);
 * app.get("/assets/:file", (c) => { const a = assets[c.req.path]; ... });
 */
export function buildAssets(funnel: Pick<Funnel, "brand">): SiteAssets {
  const accent = funnel.brand.accentColor;
  const cached = built.get(accent);
  if (cached) return cached;
  const css = siteCss(accent);
  const cssPath = hashed("site", "css", css);
  const jsPath = hashed("site", "js", siteJs);
  const result: SiteAssets = {
    assets: {
      [cssPath]: { body: css, type: "text/css; charset=utf-8" },
      [jsPath]: { body: siteJs, type: "text/javascript; charset=utf-8" },
    },
    cssPath,
    jsPath,
  };
  built.set(accent, result);
  return result;
}

import { createHash } from "node:crypto";
import type { Funnel } from "../core/content";

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

const built = new WeakMap<object, SiteAssets>();

/** The course was not compiled by the build, so the site has no stylesheet or script. */
export class SiteTextsMissingError extends Error {
  override readonly name = "SiteTextsMissingError";
}

/**
 * The stylesheet (with the brand's accent colour) and the script, compiled with the course,
 * under paths that change whenever their content does. Hashed once per course and reused.
 *
 * @example
 * const { assets } = buildAssets(funnel);
 * app.get("/assets/:file", (c) => { const a = assets[c.req.path]; ... });
 */
export function buildAssets(funnel: Pick<Funnel, "site">): SiteAssets {
  const { site } = funnel;
  if (!site) throw new SiteTextsMissingError("the course was not compiled (infra/build/course.ts)");
  const cached = built.get(site);
  if (cached) return cached;
  const cssPath = hashed("site", "css", site.css);
  const jsPath = hashed("site", "js", site.js);
  const result: SiteAssets = {
    assets: {
      [cssPath]: { body: site.css, type: "text/css; charset=utf-8" },
      [jsPath]: { body: site.js, type: "text/javascript; charset=utf-8" },
    },
    cssPath,
    jsPath,
  };
  built.set(site, result);
  return result;
}

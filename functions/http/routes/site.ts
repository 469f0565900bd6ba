import { Hono } from "hono/tiny";
import { buildAssets } from "../assets";
import type { Env } from "../context";
import { LandingPage, PrivacyPage, ThanksPage } from "../pages";
import { faviconSvg } from "../pages/layout";
import { issueStamp } from "../stamp";

/** Public pages, the guide PDF, static assets and the health check. */
export const siteRoutes = new Hono<Env>()
  .get("/", (c) => {
    const deps = c.get("deps");
    c.header("Cache-Control", "no-store");
    return c.html(LandingPage({ funnel: deps.course.funnel, formStamp: issueStamp(deps) }));
  })
  .get("/thanks", (c) => c.html(ThanksPage({ funnel: c.get("deps").course.funnel })))
  .get("/privacy", (c) => {
    const { funnel, privacy } = c.get("deps").course;
    if (!privacy) return c.notFound();
    return c.html(PrivacyPage({ funnel, privacy }));
  })
  .get("/favicon.svg", (c) => {
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(faviconSvg(c.get("deps").course.funnel.brand.accentColor), 200, {
      "Content-Type": "image/svg+xml",
    });
  })
  // Browsers ask for /favicon.ico on their own; the SVG icon serves them all.
  .get("/favicon.ico", (c) => c.redirect("/favicon.svg", 301))
  .get("/assets/:file", (c) => {
    const asset = buildAssets(c.get("deps").course.funnel).assets[c.req.path];
    if (!asset) return c.notFound();
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    return c.body(asset.body, 200, { "Content-Type": asset.type });
  })
  .get("/guide/:file", async (c) => {
    const deps = c.get("deps");
    if (c.req.path !== deps.course.funnel.guide.path) return c.notFound();
    const pdf = await deps.guidePdf();
    const name = deps.course.funnel.guide.path.split("/").pop() as string;
    c.header("Cache-Control", "public, max-age=3600");
    c.header("Content-Disposition", `inline; filename="${name}"`);
    return c.body(new Uint8Array(pdf), 200, { "Content-Type": "application/pdf" });
  })
  .get("/healthz", async (c) => {
    try {
      await c.get("deps").ready();
      return c.json({ ok: true });
    } catch {
      return c.json({ ok: false }, 503);
    }
  });

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps, Env } from "./context";
import { messagePage } from "./render";
import { linkRoutes } from "./routes/links";
import { siteRoutes } from "./routes/site";
import { subscribeRoutes } from "./routes/subscribe";

/**
 * The web app: pages, signup API and every link in an email. One app serves Lambda (via
 * `handle(app)`) and the local server alike.
 * @example const res = await createApp(deps).request("/healthz");
 */
export function createApp(deps: AppDeps) {
  const app = new Hono<Env>();
  app.use(async (c, next) => {
    c.set("deps", deps);
    const started = Date.now();
    await next();
    // Route patterns only: paths and queries may carry tokens.
    deps.logger.info("request", {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Date.now() - started,
    });
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        mediaSrc: ["'self'"],
        styleSrc: ["'self'"],
        scriptSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.route("/", siteRoutes);
  app.route("/", subscribeRoutes);
  app.route("/", linkRoutes);
  app.notFound((c) =>
    messagePage(c, 404, "We couldn't find that page", "The page may have moved."),
  );
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    deps.logger.error("unhandled error", { name: err.name, route: c.req.routePath });
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

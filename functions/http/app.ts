import { HTTPException } from "hono/http-exception";
import { Hono } from "hono/tiny";
import { RetryableSendError } from "../funnel/drip";
import { adminRoutes } from "./admin";
import type { AppDeps, Env } from "./context";
import { frontDoorGuard } from "./front-door";
import { messagePage } from "./render";
import { linkRoutes } from "./routes/links";
import { siteRoutes } from "./routes/site";
import { subscribeRoutes } from "./routes/subscribe";
import { securityHeaders } from "./security-headers";

/** The origin of a masterclass video hosted elsewhere (an https URL in content), if any. */
function videoOrigin(deps: AppDeps): string[] {
  const { src, captions } = deps.course.funnel.masterclass.video;
  return [src, captions ?? ""]
    .filter((u) => u.startsWith("https://"))
    .map((u) => new URL(u).origin);
}

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
  app.use(securityHeaders(videoOrigin(deps)));
  // Before every route: behind a CDN, a request that went around it is refused here.
  if (deps.frontDoor) app.use(frontDoorGuard(deps.frontDoor));
  app.route("/", siteRoutes);
  app.route("/", subscribeRoutes);
  app.route("/", linkRoutes);
  app.route("/admin", adminRoutes);
  app.notFound((c) =>
    messagePage(c, 404, "We couldn't find that page", "The page may have moved."),
  );
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof RetryableSendError) {
      // SES is throttling or unreachable; the per-address limit allows a new try in 10 minutes.
      deps.logger.warn("email not sent", { route: c.req.routePath });
      c.header("Retry-After", "600");
      const message = "We couldn't send your email just now. Please try again in ten minutes.";
      if (/json/.test(`${c.req.header("content-type")} ${c.req.header("accept")}`)) {
        return c.json({ error: message, issues: [] }, 503);
      }
      return messagePage(c, 503, "Your email is delayed", message);
    }
    deps.logger.error("unhandled error", { name: err.name, route: c.req.routePath });
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

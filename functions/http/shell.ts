import { HTTPException } from "hono/http-exception";
import { Hono } from "hono/tiny";
import { RetryableSendError } from "../funnel/drip";
import type { AppDeps, Env } from "./context";
import { frontDoorGuard } from "./front-door";
import { messagePage } from "./render";
import { securityHeaderSetter } from "./security-headers";

/** The origin of a masterclass video hosted elsewhere (an https URL in content), if any. */
function videoOrigin(deps: AppDeps): string[] {
  const { src, captions } = deps.course.funnel.masterclass.video;
  return [src, captions ?? ""]
    .filter((u) => u.startsWith("https://"))
    .map((u) => new URL(u).origin);
}

/**
 * What every app of the site shares, whichever function serves it: the request's collaborators,
 * a log line per request (route patterns only), the security headers, the front door (behind a
 * CDN, a request that went around it is refused before any route runs), one "not found" page
 * and one `onError`. The caller mounts its routes on the returned app.
 * @example const app = appShell(deps); app.route("/", siteRoutes);
 */
export function appShell(deps: AppDeps) {
  const app = new Hono<Env>();
  const secure = securityHeaderSetter(videoOrigin(deps));
  // One outer middleware for what every response gets (one layer less on every request).
  app.use(async (c, next) => {
    c.set("deps", deps);
    const started = Date.now();
    await next();
    secure(c.res.headers);
    // Route patterns only: paths and queries may carry tokens.
    deps.logger.info("request", {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Date.now() - started,
    });
  });
  if (deps.frontDoor) app.use(frontDoorGuard(deps.frontDoor));
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

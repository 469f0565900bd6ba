import { Hono } from "hono/tiny";
import { createAdminApp, isAdminPath } from "./admin-app";
import { createApp } from "./app";
import type { AppDeps } from "./context";

/**
 * The whole site in one app, as one server answers it locally (`npm start`, the tests): the
 * owner's area to the admin app, everything else to the public app, split by path exactly as
 * the API routes them to two functions on AWS. Each app keeps its own middleware and errors.
 * @example const res = await createSiteApp(deps).request("/admin/login");
 */
export function createSiteApp(deps: AppDeps): SiteApp {
  const web = createApp(deps);
  const admin = createAdminApp(deps);
  return new Hono().all("*", (c) =>
    (isAdminPath(c.req.path) ? admin : web).fetch(c.req.raw, c.env),
  );
}

/** What a caller does with the site: serve it, or send it a request in-process (tests). */
export type SiteApp = Pick<Hono, "fetch" | "request">;

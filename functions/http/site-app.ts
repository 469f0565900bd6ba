import type { Hono } from "hono/tiny";
import { getPath, mergePath } from "hono/utils/url";
import { createAdminApp, isAdminPath } from "./admin-app";
import { createApp } from "./app";
import type { AppDeps } from "./context";

/**
 * The whole site in one app, as one server answers it locally (`npm start`, the tests): the
 * owner's area to the admin app, everything else to the public app, split by path exactly as
 * the API routes them to two functions on AWS. Each app keeps its own middleware and errors.
 * The split is a plain function of the path (read as hono routes it), not a third app: a
 * request is dispatched and answered by one app only.
 * @example const res = await createSiteApp(deps).request("/admin/login");
 */
export function createSiteApp(deps: AppDeps): SiteApp {
  const web = createApp(deps);
  const admin = createAdminApp(deps);
  const appFor = (path: string) => (isAdminPath(path) ? admin : web);
  const pathOf = (url: string) => getPath({ url: new URL(url).href } as Request);
  // The URL the chosen app's own `request` gives the Request it builds from the same input.
  const request: SiteApp["request"] = (input, init, env, ctx) => {
    const s = input instanceof Request ? input.url : String(input);
    const url = /^https?:\/\//.test(s) ? s : `http://localhost${mergePath("/", s)}`;
    return appFor(pathOf(url)).request(input, init, env, ctx);
  };
  return {
    fetch: (req, env, ctx) => appFor(getPath(req)).fetch(req, env, ctx),
    request,
  };
}

/** What a caller does with the site: serve it, or send it a request in-process (tests). */
export type SiteApp = Pick<Hono, "fetch" | "request">;

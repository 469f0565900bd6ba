import type { AppDeps } from "./context";
import { linkRoutes } from "./routes/links";
import { siteRoutes } from "./routes/site";
import { subscribeRoutes } from "./routes/subscribe";
import { appShell } from "./shell";

/**
 * The public web app: pages, signup API and every link in an email. It carries nothing of the
 * owner's area (`/admin`, ./admin-app.ts), which runs as a function of its own on AWS; one app
 * serves Lambda (via `handle(app)`) and, composed with the admin app, the local server.
 * @example const res = await createApp(deps).request("/healthz");
 */
export function createApp(deps: AppDeps) {
  const app = appShell(deps);
  app.route("/", siteRoutes);
  app.route("/", subscribeRoutes);
  app.route("/", linkRoutes);
  return app;
}

export type App = ReturnType<typeof createApp>;

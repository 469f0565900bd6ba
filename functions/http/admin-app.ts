import { adminRoutes } from "./admin";
import type { AppDeps } from "./context";
import { appShell } from "./shell";

/** Where the owner's area lives: the paths its function answers (CloudFront and the API route them). */
export const ADMIN_PREFIX = "/admin";

/**
 * The owner's area alone (`/admin`: sign-in, dashboard, subscribers, CSV import and export,
 * test sends), behind the same front door, headers and error handling as the public app.
 * @example const res = await createAdminApp(deps).request("/admin/login");
 */
export function createAdminApp(deps: AppDeps) {
  const app = appShell(deps);
  app.route(ADMIN_PREFIX, adminRoutes);
  return app;
}

/** Whether a path belongs to the owner's area (what the API routes to the admin function). */
export const isAdminPath = (path: string) =>
  path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);

import type { Context } from "hono";
import type { AdminEnv } from "./auth";

/** Placeholder until the CSV export lands. */
export function exportCsv(c: Context<AdminEnv>) {
  return c.text("not yet", 501);
}

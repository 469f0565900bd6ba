import type { Context } from "hono";
import { subscribersCsv } from "../../funnel/export";
import type { AdminEnv } from "./auth";

/** The whole list as a CSV download (a GET that changes nothing; the session is strict). */
export async function exportCsv(c: Context<AdminEnv>) {
  const csv = await subscribersCsv(c.get("deps").store);
  const day = new Date(c.get("deps").clock.now()).toISOString().slice(0, 10);
  c.get("deps").logger.info("subscribers exported", {});
  return c.body(csv, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="subscribers-${day}.csv"`,
    "Cache-Control": "no-store",
  });
}

import type { Logger } from "../core/ports";

/**
 * The app's `Logger` port on Lambda: one JSON object per line on stdout (CloudWatch Logs
 * Insights reads the fields), `{ level, message, service, timestamp, ...data }`. It is this
 * small on purpose: a logging library costs ~21 KiB in every bundle and cold start for what
 * one JSON.stringify does. SERVICE_NAME and LOG_LEVEL (DEBUG, INFO, WARN, ERROR) come from
 * the function's environment.
 * @example const { logger } = createLogger(); logger.info("sent", { step: 1 });
 */
export function createLogger(
  env: Record<string, string | undefined> = process.env,
  write: (line: string) => void = (line) => process.stdout.write(line),
): { logger: Logger } {
  const service = env.SERVICE_NAME ?? "healthy-hips";
  const threshold = LEVELS.indexOf((env.LOG_LEVEL ?? "INFO").toUpperCase() as Level);
  const at = (level: Level) => (message: string, data?: Record<string, unknown>) => {
    if (LEVELS.indexOf(level) < (threshold < 0 ? 1 : threshold)) return;
    const entry = { level, message, service, timestamp: new Date().toISOString(), ...data };
    write(`${JSON.stringify(entry, errorsAsFields)}\n`);
  };
  return { logger: { info: at("INFO"), warn: at("WARN"), error: at("ERROR") } };
}

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
type Level = (typeof LEVELS)[number];

/** An Error logged as data keeps its name and message (JSON.stringify would give `{}`). */
function errorsAsFields(_key: string, value: unknown) {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

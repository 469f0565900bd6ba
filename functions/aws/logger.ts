import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Logger } from "../core/ports";

/**
 * Powertools Logger (JSON lines with the Lambda context) behind the app's `Logger` port.
 * Service name and level come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL.
 * @example const { logger, powertools } = createLogger(); logger.info("sent", { message: "welcome" });
 */
export function createLogger(): { logger: Logger; powertools: PowertoolsLogger } {
  const powertools = new PowertoolsLogger();
  const logger: Logger = {
    info: (message, data) => (data ? powertools.info(message, data) : powertools.info(message)),
    warn: (message, data) => (data ? powertools.warn(message, data) : powertools.warn(message)),
    error: (message, data) => (data ? powertools.error(message, data) : powertools.error(message)),
  };
  return { logger, powertools };
}

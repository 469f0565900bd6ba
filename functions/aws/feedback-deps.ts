import { createLogger } from "./logger";
import { idKey } from "./secrets";
import type { FeedbackDeps } from "./ses-events";
import { clock, subscriberStore } from "./wiring";

/** The SES feedback worker: find the subscriber by address and mark them. */
export async function feedbackDeps(): Promise<FeedbackDeps> {
  const { logger } = createLogger();
  return { store: subscriberStore(), clock, logger, idKey: await idKey() };
}

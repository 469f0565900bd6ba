import { feedbackDeps } from "../aws/feedback-deps";
import { parseSesEvent, recordFeedback } from "../aws/ses-events";

const deps = await feedbackDeps();

/**
 * EventBridge (SES configuration-set events: bounces and complaints) -> mark the subscriber.
 * An event that fails the schema is thrown: EventBridge's async retries, then the failure
 * queue, keep it for a person to look at, and that queue's alarm says so.
 */
export async function handler(event: unknown): Promise<{ changed: number }> {
  return { changed: await recordFeedback(deps, parseSesEvent(event)) };
}

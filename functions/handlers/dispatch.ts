import { dispatchDeps } from "../aws/dispatching";
import { dispatch } from "../funnel/drip";

const deps = dispatchDeps();

/**
 * EventBridge Scheduler, every minute: claim everything due and put it on the send queue.
 * A failure is thrown so Lambda counts it (the errors alarm); the next tick picks up the rest.
 */
export async function handler(): Promise<{ claimed: number }> {
  const result = await dispatch(deps, deps.clock.now());
  if (result.claimed > 0) deps.logger.info("dispatched", result);
  // What was claimed is already queued; failing now only makes the misses visible.
  if (result.failed > 0) throw new Error(`${result.failed} due pages or claims failed`);
  return result;
}

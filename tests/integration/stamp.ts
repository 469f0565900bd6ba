import type { AppDeps } from "../../functions/http/context";
import { issueStamp, MIN_FILL_MS } from "../../functions/http/stamp";

/** A form stamp issued long enough ago to pass the minimum fill time, as a person's would be. */
export function ripeStamp(deps: Pick<AppDeps, "tokens" | "clock">): string {
  const at = deps.clock.now() - MIN_FILL_MS - 1000;
  return issueStamp({ tokens: deps.tokens, clock: { now: () => at } });
}

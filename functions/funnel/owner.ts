import { onPause, onResume } from "../core/pause";
import { kick } from "./drip";
import { countTransition } from "./stats";
import { apply, type FunnelDeps, unsubscribe } from "./subscriptions";

/** What the owner can do to one subscriber from the dashboard. */
export const OWNER_ACTIONS = ["pause", "resume", "unsubscribe", "erase"] as const;
export type OwnerAction = (typeof OWNER_ACTIONS)[number];

/**
 * Erases everything stored under a subscriber and takes them out of the state counters. The
 * funnel's history (how many signed up, clicked) keeps them as a number, never as a person.
 */
export async function erase(deps: Pick<FunnelDeps, "store" | "clock" | "logger">, sid: string) {
  const before = await deps.store.get(sid);
  await deps.store.erase(sid);
  if (before) await countTransition(deps.store, before, undefined, deps.clock.now());
  deps.logger.info("erased", {});
  return before !== undefined;
}

/** Applies one owner action; true when something changed. */
export async function ownerAction(deps: FunnelDeps, sid: string, action: OwnerAction) {
  switch (action) {
    case "unsubscribe":
      return unsubscribe(deps, sid, { owner: true });
    case "erase":
      return erase(deps, sid);
    case "pause":
    case "resume": {
      const { decision } = await apply(deps, sid, action === "pause" ? onPause : onResume);
      if (decision.kind !== "update") return false;
      deps.logger.info(action === "pause" ? "paused" : "resumed", { by: "owner" });
      if (decision.kick) await kick(deps, sid, deps.clock.now());
      return true;
    }
  }
}

import { randomBytes } from "node:crypto";
import { verifyFollowing } from "../core/tokens";
import type { AppDeps } from "./context";

/** A form filled in faster than this was filled in by a program. */
export const MIN_FILL_MS = 1000;
const STAMP_TTL_MS = 24 * 3600 * 1000;

/** A signed render-time stamp for the signup form. */
export function issueStamp(deps: Pick<AppDeps, "tokens" | "clock">): string {
  const now = deps.clock.now();
  return deps.tokens.sign({
    purpose: "stamp",
    sid: randomBytes(9).toString("base64url"),
    expiresAt: now + STAMP_TTL_MS,
  });
}

/**
 * Whether a submitted stamp looks human: present, intact, unexpired and at least
 * {@link MIN_FILL_MS} old. A missing, forged or instant stamp is refused softly by the caller.
 */
export async function checkStamp(
  deps: Pick<AppDeps, "tokens" | "clock">,
  stamp: string | undefined,
): Promise<boolean> {
  if (stamp === undefined || stamp === "") return false;
  const now = deps.clock.now();
  try {
    // Another instance may have issued it with a key rotated in since this one started.
    const claims = await verifyFollowing(deps.tokens, stamp, "stamp", now);
    return now - (claims.expiresAt - STAMP_TTL_MS) >= MIN_FILL_MS;
  } catch {
    return false;
  }
}

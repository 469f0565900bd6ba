import type { AppDeps } from "../http/context";
import { webDeps } from "./sending";
import { deadLetterDepth } from "./sqs";

/**
 * The owner's area: the web app's collaborators (the same front door, keys, store and send
 * queue) plus the depth of the send queue's dead-letter queue, which only the dashboard shows.
 */
export async function adminDeps(): Promise<AppDeps> {
  return { ...(await webDeps()), deadLetters: deadLetterDepth() };
}

import type { Counts } from "../adapters/counters";
import type { Store } from "../adapters/store";
import type { Subscriber } from "../core/subscriber";

/**
 * Keeps the owner's counters in step with what happens, so the report reads a few items
 * instead of scanning the table. Each call is an atomic ADD after the change it counts; the
 * change itself is one conditional write, so only the writer that made it counts it.
 */
type CountingStore = Pick<Store, "count" | "counters" | "markOnce" | "markEmailClicked">;

/** UTC calendar day of `now`, the daily counters' key. */
export const day = (now: number) => new Date(now).toISOString().slice(0, 10);

/**
 * Moves one subscriber between the per-state counters (and in or out of "paused") after a
 * write changed them; counts a first arrival at `completed` in the funnel.
 */
export async function countTransition(
  store: CountingStore,
  before: Subscriber | undefined,
  after: Subscriber | undefined,
  now: number,
): Promise<void> {
  const delta: Counts = {};
  const from = before?.status;
  const to = after?.status;
  if (from !== to) {
    if (from) delta[from] = (delta[from] ?? 0) - 1;
    if (to) delta[to] = (delta[to] ?? 0) + 1;
  }
  const isPaused = (s?: Subscriber) => (s?.pausedAt && s.status === "active" ? 1 : 0);
  const paused = isPaused(after) - isPaused(before);
  if (paused) delta.paused = paused;
  const work: Promise<void>[] = [store.counters.add("state", delta)];
  if (to === "completed" && from !== "completed")
    work.push(store.count(day(now), { completed: 1 }));
  await Promise.all(work);
}

/**
 * A new subscriber: one more signup that day, one more pending. The send worker counts it
 * from the confirmation job the signup queued (`signedUpAt`), so the visitor never waits on
 * a counter.
 */
export async function countSignup(store: CountingStore, at: number): Promise<void> {
  await Promise.all([
    store.counters.add("state", { pending: 1 }),
    store.count(day(at), { signups: 1 }),
  ]);
}

/** Adds to one email's counters (sent, clicks, unsubscribes, bounces, complaints, rejects). */
export function countEmail(store: CountingStore, emailId: string | undefined, counts: Counts) {
  return emailId ? store.counters.add(`email:${emailId}`, counts) : Promise.resolve();
}

/**
 * The email an event on a subscriber belongs to: the one the link's token names when it names
 * one, else the SES message id's send, else the latest email they were sent.
 */
export function emailOf(
  sub: Subscriber | undefined,
  hint: { emailId?: string; messageId?: string } = {},
): string | undefined {
  if (hint.emailId) return hint.emailId;
  if (hint.messageId) {
    const sent = sub?.sends.find((s) => s.messageId === hint.messageId);
    if (sent) return sent.id;
  }
  return sub?.sends.at(-1)?.id;
}

/**
 * A click on a tracked link: per-day and per-email click counts (people and scanners apart),
 * and, for a person's first click ever, one more subscriber in the funnel's "clicked".
 */
export async function countClick(
  store: CountingStore,
  sub: Subscriber | undefined,
  emailId: string | undefined,
  scanner: boolean,
  now: number,
): Promise<void> {
  const kind = scanner ? "scannerClicks" : "humanClicks";
  const work = [store.count(day(now), { [kind]: 1 }), countEmail(store, emailId, { [kind]: 1 })];
  if (!scanner && sub) {
    work.push(
      store.markOnce(sub.sid, "firstClickAt", new Date(now).toISOString()).then((first) => {
        if (first) return store.count(day(now), { clicked: 1 });
      }),
    );
    if (emailId) {
      work.push(
        store.markEmailClicked(sub.sid, emailId).then((first) => {
          if (first) return countEmail(store, emailId, { clickers: 1 });
        }),
      );
    }
  }
  await Promise.all(work);
}

/** The masterclass video started playing for a subscriber who came from an email. */
export async function countWatch(store: CountingStore, sid: string, now: number): Promise<void> {
  if (await store.markOnce(sid, "watchedAt", new Date(now).toISOString())) {
    await store.count(day(now), { watched: 1 });
  }
}

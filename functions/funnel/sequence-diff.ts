import type { Store } from "../adapters/store";
import type { Course } from "../core/content";
import {
  diffOrders,
  forecast,
  type OrderChanges,
  type PublishedSequence,
  publication,
} from "../core/sequence";
import type { Subscriber } from "../core/subscriber";
import { DUE_SHARDS, parkedShard } from "../core/transitions";
import { scheduleFor, sequencesOf } from "./sequences";

/** One line of the forecast: how many will receive `id` next, between `first` and `last`. */
export interface NextGroup {
  /** The email next, or null: nothing more (they complete, or stay completed). */
  id: string | null;
  subscribers: number;
  /** Of those, how many this edit changes (another email, or another time). */
  changed: number;
  first?: string;
  last?: string;
}

export interface SequenceDiff {
  sequenceId: string;
  /** The most recently published order, if any. */
  published?: { hash: string; publishedAt: string; emails: number };
  draft: { hash: string; emails: number; alreadyPublished: boolean };
  changes: OrderChanges;
  /** Active subscribers and completed ones (who may receive appended lessons); counts only. */
  next: NextGroup[];
  subscribers: { active: number; completed: number };
}

/** Every entry of the due index shards named, read page by page (index queries, no Scan). */
async function shardEntries(store: Store, shards: string[]) {
  const out: { sid: string }[] = [];
  for (const shard of shards) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await store.queryShard(shard, 100, cursor);
      out.push(...page.entries);
      cursor = page.cursor;
    } while (cursor);
  }
  return out;
}

/**
 * Compares the course in `content/` with what is published and forecasts, for today's
 * subscribers, which email each receives next and when, grouped into counts. Reads only: the
 * due index (live and parked shards) and the subscribers it names; publishes nothing.
 */
export async function sequenceDiff(
  deps: { store: Store; course: Course; dayMs: number },
  now: number,
): Promise<SequenceDiff> {
  const draft = publication(deps.course, now);
  const all = await deps.store.publishedSequences(draft.sequenceId);
  const latest: PublishedSequence | undefined = all.at(-1);
  const sequences = sequencesOf(draft, all);
  const changes = diffOrders(latest?.order ?? [], draft.order);

  const live = Array.from({ length: DUE_SHARDS }, (_, i) => String(i));
  const parked = Array.from({ length: DUE_SHARDS }, (_, i) => parkedShard(i));
  const entries = await shardEntries(deps.store, [...live, ...parked]);
  const groups = new Map<string, NextGroup>();
  const counts = { active: 0, completed: 0 };
  for (let i = 0; i < entries.length; i += 25) {
    const subs = await Promise.all(entries.slice(i, i + 25).map((e) => deps.store.get(e.sid)));
    for (const sub of subs) {
      if (sub?.status !== "active" && sub?.status !== "completed") continue;
      counts[sub.status]++;
      const f = forecast(
        sub as Subscriber,
        draft,
        sequences.find,
        sequences.original,
        now,
        scheduleFor(deps, sub),
        deps.course.funnel.sequence.sendNewLessonsToCompleted,
      );
      if (sub.status === "completed" && !f.id) continue;
      const key = f.id ?? "";
      const g = groups.get(key) ?? { id: f.id ?? null, subscribers: 0, changed: 0 };
      g.subscribers++;
      if (f.changed) g.changed++;
      if (f.at !== undefined) {
        const at = new Date(f.at).toISOString();
        if (!g.first || at < g.first) g.first = at;
        if (!g.last || at > g.last) g.last = at;
      }
      groups.set(key, g);
    }
  }
  const position = new Map(draft.order.map((e, i) => [e.id, i]));
  const next = [...groups.values()].sort(
    (a, b) =>
      (a.id === null ? Infinity : (position.get(a.id) ?? 0)) -
      (b.id === null ? Infinity : (position.get(b.id) ?? 0)),
  );
  return {
    sequenceId: draft.sequenceId,
    ...(latest
      ? {
          published: {
            hash: latest.hash,
            publishedAt: latest.publishedAt,
            emails: latest.order.length,
          },
        }
      : {}),
    draft: {
      hash: draft.hash,
      emails: draft.order.length,
      alreadyPublished: all.some((p) => p.hash === draft.hash),
    },
    changes,
    next,
    subscribers: counts,
  };
}

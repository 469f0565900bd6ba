import type { CounterScope, Counters, Counts } from "./counters";
import type { Store } from "./store";

/**
 * Counter adds gathered in memory and written together: one atomic ADD per scope per flush,
 * however many events it holds. The send worker counts through one, so a batch of sends costs
 * a few counter writes instead of three per email. Adds wait in memory until `flush()`: a
 * process that dies before it loses them, as it would lose an add it had not yet made.
 */
export function createTally(counters: Pick<Counters, "add">) {
  let pending = new Map<CounterScope, Counts>();
  const merge = (scope: CounterScope, counts: Counts) => {
    const sum = pending.get(scope) ?? {};
    for (const [k, v] of Object.entries(counts)) if (v) sum[k] = (sum[k] ?? 0) + v;
    pending.set(scope, sum);
  };
  let flushing: Promise<void> = Promise.resolve();
  return {
    /** Adds to a scope's counters in memory (written by the next flush). */
    add(scope: CounterScope, counts: Counts): Promise<void> {
      merge(scope, counts);
      return Promise.resolve();
    },
    /** Writes what was added since the last flush; what fails to be written is kept for the next. */
    flush(): Promise<void> {
      const run = async () => {
        const batch = pending;
        pending = new Map();
        const results = await Promise.allSettled(
          [...batch].map(([scope, counts]) => counters.add(scope, counts)),
        );
        const failed = [...batch].filter((_, i) => results[i]?.status === "rejected");
        for (const [scope, counts] of failed) merge(scope, counts);
        const error = results.find((r) => r.status === "rejected");
        if (error) throw (error as PromiseRejectedResult).reason;
      };
      // One flush at a time, so two never write the same adds.
      flushing = flushing.then(run, run);
      return flushing;
    },
    /** Scopes waiting to be written. */
    size: () => pending.size,
  };
}

export type Tally = ReturnType<typeof createTally>;

/**
 * The store with its counters going through `tally`: everything else is the store itself.
 * @example const worker = { ...deps, store: talliedStore(deps.store, tally) };
 */
export function talliedStore(store: Store, tally: Tally): Store {
  const counters = { ...store.counters, add: tally.add };
  return {
    ...store,
    counters,
    count: async (day: string, counts: Counts) => {
      await Promise.all([tally.add(`day:${day}`, counts), tally.add("all", counts)]);
    },
  };
}

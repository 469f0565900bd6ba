import type { Hooks, Send } from "./faults";

/**
 * The races the fault test plays out, each on its own subscribers, a few per tick:
 * - `queued`: unsubscribes right after their claim was written, before the job is queued.
 * - `pacing`: unsubscribes at the end of the job's wait for pacing, just before its look.
 * - `during`: unsubscribes while the SES call is in flight (the one window the README states:
 *   these are mailed, and counted apart).
 * - `slow`: SES accepts lesson k but answers only after the lease ran out; meanwhile another
 *   claim sends k again (a repeat after SES accepted, allowed) and the next lesson too. Only then
 *   does the slow call return: its advance must lose on the lease, or the next lesson goes twice.
 * - `stale`: the job waits (a backlog) until its lease ran out and the work was claimed again;
 *   both jobs reach their look, the stale one first. Whoever sends must look first: the stale
 *   one must send nothing, or the email goes twice.
 */
export type Race = "queued" | "pacing" | "during" | "slow" | "stale";

interface Victim {
  race: Race;
  phase: "armed" | "held" | "second" | "both" | "done";
  /** slow: the lesson whose answer is held back, and when SES accepted it. */
  k?: string;
  at?: number;
  ticks: number;
  release: (() => void)[];
}

export interface RaceOptions {
  subscribers: number;
  /** Unsubscribes `sid` (retrying faults) and records when that was written. */
  leave: (sid: string) => Promise<void>;
  isLesson: (id: string | undefined) => boolean;
  /** True when `id` is the last email of the order being sent now. */
  isLast: (id: string) => boolean;
  sidOf: (to: string) => string | undefined;
  addressOf: (sid: string) => string | undefined;
  /** Still somewhere in the sequence (not completed, not gone): read outside the faults. */
  active: (sid: string) => Promise<boolean>;
  sends: Send[];
  queueSize: () => number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createRaces(o: RaceOptions) {
  const victims = new Map<string, Victim>();
  const played = new Map<Race, number>();
  /** Races started this tick: at most one of each kind per tick, spread over the run. */
  const thisTick = new Set<Race>();
  const share = (p: number) => Math.max(6, Math.round(o.subscribers * p));
  const quota: Record<Race, number> = {
    queued: share(0.02),
    pacing: share(0.02),
    during: share(0.01),
    slow: Math.max(10, Math.round(o.subscribers * 0.05)),
    stale: Math.max(10, Math.round(o.subscribers * 0.05)),
  };
  /** At most this many of a kind hold a send worker at once (16 workers). */
  const live: Partial<Record<Race, number>> = { slow: 3, stale: 2 };
  let held = 0;
  const count = (r: Race) => [...victims.values()].filter((v) => v.race === r).length;
  const holding = (r: Race) =>
    [...victims.values()].filter((v) => v.race === r && v.phase !== "done").length;
  const done = (race: Race) => played.set(race, (played.get(race) ?? 0) + 1);

  const hold = (v: Victim) =>
    new Promise<void>((resolve) => {
      held++;
      v.release.push(() => {
        held--;
        resolve();
      });
    });
  const releaseOne = (v: Victim) => v.release.shift()?.();

  function pick(sid: string, nextId: string | undefined): Race | undefined {
    if (victims.has(sid) || !o.isLesson(nextId)) return undefined;
    for (const race of ["slow", "stale", "queued", "pacing", "during"] as Race[]) {
      if (thisTick.has(race) || count(race) >= quota[race]) continue;
      if (holding(race) >= (live[race] ?? Number.POSITIVE_INFINITY)) continue;
      if (race === "slow" && o.isLast(nextId as string)) continue;
      return race;
    }
    return undefined;
  }

  const hooks: Hooks = {
    async claimed(sid, nextId) {
      const v = victims.get(sid);
      if (v?.race === "stale" && v.phase === "held") {
        // The work was claimed again while the first job still waits.
        v.phase = "second";
        return;
      }
      const race = pick(sid, nextId);
      if (!race) return;
      thisTick.add(race);
      const victim: Victim = { race, phase: "armed", ticks: 0, release: [] };
      victims.set(sid, victim);
      if (race === "queued") {
        victim.phase = "done";
        await o.leave(sid);
        done(race);
      }
    },
    async reading(sid) {
      const v = victims.get(sid);
      if (v?.race === "pacing" && v.phase === "armed") {
        v.phase = "done";
        await o.leave(sid);
        done("pacing");
      } else if (v?.race === "stale" && v.phase === "armed") {
        v.phase = "held";
        await hold(v);
      } else if (v?.race === "stale" && v.phase === "second") {
        v.phase = "both";
        await hold(v);
      }
    },
    async sesStarted(to) {
      const sid = o.sidOf(to);
      const v = sid ? victims.get(sid) : undefined;
      if (sid && v?.race === "during" && v.phase === "armed") {
        v.phase = "done";
        await o.leave(sid);
        done("during");
      }
    },
    async sesAccepted(to, id) {
      const sid = o.sidOf(to);
      const v = sid ? victims.get(sid) : undefined;
      if (v?.race !== "slow" || v.phase !== "armed" || !o.isLesson(id) || o.isLast(id)) {
        return false;
      }
      v.phase = "held";
      v.k = id;
      v.at = performance.now();
      await hold(v);
      return true;
    },
  };

  /** Waits until every queued send finished, except those held here. */
  async function settle() {
    for (const end = performance.now() + 300_000; performance.now() < end; ) {
      if (o.queueSize() <= held) return;
      await pause(2);
    }
    throw new Error(`the send queue did not settle: ${o.queueSize()} jobs, ${held} held`);
  }

  /** After a tick settled: plays out the second half of the races that are ready for it. */
  async function afterTick(final = false) {
    for (const [sid, v] of victims) {
      if (v.phase === "done") continue;
      v.ticks++;
      if (v.race === "stale" && (v.phase === "both" || (final && v.release.length))) {
        // The stale job looks first and finishes; then the fresh one.
        releaseOne(v);
        await settle();
        releaseOne(v);
        await settle();
        v.phase = "done";
        done("stale");
      } else if (v.race === "slow" && v.phase === "held") {
        const to = o.addressOf(sid);
        const next = o.sends.some(
          (s) => s.to === to && s.id !== v.k && s.accepted > (v.at as number),
        );
        if (!final && !next && v.ticks < 48 && (await o.active(sid))) continue;
        releaseOne(v);
        await settle();
        v.phase = "done";
        if (next) done("slow");
      }
    }
    thisTick.clear();
  }

  return {
    hooks,
    settle,
    afterTick,
    /** Races played out to the end, per kind. */
    played: () => Object.fromEntries(played) as Partial<Record<Race, number>>,
    quota,
    /** Subscribers held back by a race right now. */
    held: () => held,
    raceOf: (sid: string) => victims.get(sid)?.race,
  };
}

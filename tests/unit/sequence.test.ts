import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, type ScheduleOptions } from "../../functions/core/schedule";
import {
  afterSending,
  decideSend,
  diffOrders,
  nextInSequence,
  orderHash,
  type Progress,
  type PublishedSequence,
  progressOf,
  resumeAfterCompletion,
  type SequenceEntry,
} from "../../functions/core/sequence";

const NOW = Date.parse("2026-03-10T09:00:00Z");
const UTC: ScheduleOptions = { dayMs: DAY_MS, timeZone: "UTC" };

/** "w a b c" -> the welcome email then lessons a, b, c, each 1 day after the one before. */
function order(spec: string, delays: Record<string, number> = {}): SequenceEntry[] {
  return spec
    .split(" ")
    .filter(Boolean)
    .map((id, i) => ({ id, delayDays: delays[id] ?? (i === 0 ? 0 : 1) }));
}

function published(spec: string, delays?: Record<string, number>): PublishedSequence {
  const o = order(spec, delays);
  return {
    sequenceId: "s",
    hash: orderHash(o),
    order: o,
    publishedAt: new Date(NOW).toISOString(),
  };
}

/** Someone who received `ids` (in that order) under `from`, the last one a day ago. */
function at(ids: string, from: PublishedSequence, lastAt = NOW - DAY_MS): Progress {
  const received = ids.split(" ").filter(Boolean);
  return { lastId: received.at(-1), received, from: from.hash, lastAt };
}

describe("nextInSequence: where each subscriber continues after an edit", () => {
  const V1 = published("w a b c d");
  it.each([
    ["no edit", "w a b c d", "w a", "b"],
    ["nothing received yet -> the welcome email", "w a b c d", "", "w"],
    ["lesson inserted behind them is not sent", "w x a b c d", "w a b", "c"],
    ["lesson inserted right after their last -> it is next", "w a x b c d", "w a", "x"],
    ["lesson inserted further ahead waits its turn", "w a b x c d", "w a", "b"],
    ["their next lesson removed -> the one after", "w a c d", "w a", "c"],
    ["their last lesson removed -> the one that followed it", "w b c d", "w a", "b"],
    ["their last and the next removed -> the first survivor after", "w d", "w a b", "d"],
    ["all remaining removed -> nothing (completed)", "w a b", "w a b", undefined],
    ["last and all after it removed -> nothing (completed)", "w a", "w a b", undefined],
    ["reorder: a later lesson moved right after their last", "w a c b d", "w a", "c"],
    ["reorder: a later lesson moved behind them is not sent", "w c a b d", "w a", "b"],
    ["reorder: their last moved to the end -> nothing after it", "w b c d a", "w a", undefined],
    ["reorder: c moved behind their last (b) is not sent", "w a c b d", "w a b", "d"],
    ["lessons appended after completion", "w a b c d e f", "w a b c d", "e"],
    ["the whole course replaced -> the new course from its start", "w x y", "w a b", "x"],
  ])("%s", (_label, now, received, expected) => {
    expect(nextInSequence(order(now), V1.order, at(received, V1))?.id).toBe(expected);
  });

  it("a removed last lesson with no record of its order: after the furthest received still there", () => {
    const lost: Progress = { lastId: "b", received: ["w", "a", "b"], from: "unknown" };
    expect(nextInSequence(order("w a c d"), undefined, lost)?.id).toBe("c");
    expect(nextInSequence(order("w c a"), undefined, lost)?.id).toBeUndefined();
  });

  it("edits in a row: each place is found in the order it was recorded under", () => {
    // Lesson b goes out under V1; then b is removed (V2); then c too, and e is appended (V3).
    const V2 = published("w a c d");
    const V3 = published("w a d e");
    const afterB = at("w a b", V1);
    expect(nextInSequence(V2.order, V1.order, afterB)?.id).toBe("c");
    expect(nextInSequence(V3.order, V1.order, afterB)?.id).toBe("d");
  });

  it("property: never an id they received, never an id the current order lacks", () => {
    const ids = ["w", "a", "b", "c", "d", "e", "f", "g"];
    const subsetOrder = fc
      .shuffledSubarray(ids, { minLength: 1 })
      .map((xs) => xs.map((id) => ({ id, delayDays: 1 })));
    fc.assert(
      fc.property(subsetOrder, subsetOrder, fc.nat(8), fc.boolean(), (from, current, n, known) => {
        const received = from.slice(0, Math.min(n, from.length)).map((e) => e.id);
        const progress: Progress = { lastId: received.at(-1), received, from: "h" };
        const next = nextInSequence(current, known ? from : undefined, progress);
        if (next) {
          expect(received).not.toContain(next.id);
          expect(current.map((e) => e.id)).toContain(next.id);
        } else {
          // Nothing left means nothing unreceived after their place: at most earlier ones.
          const last = current.findIndex((e) => e.id === progress.lastId);
          if (last >= 0) {
            const after = current.slice(last + 1).filter((e) => !received.includes(e.id));
            expect(after).toEqual([]);
          }
        }
      }),
    );
  });

  it("property: sending through any sequence of edits never repeats an id", () => {
    const ids = ["w", "a", "b", "c", "d", "e", "f"];
    const version = fc.shuffledSubarray(ids, { minLength: 1 }).map((xs) => published(xs.join(" ")));
    fc.assert(
      fc.property(fc.array(version, { minLength: 1, maxLength: 6 }), (versions) => {
        let progress: Progress = { received: [] };
        const byHash = new Map<string, PublishedSequence>();
        const sent: string[] = [];
        for (const v of versions) {
          byHash.set(v.hash, v);
          // Send two emails under each version, as far as it goes.
          for (let k = 0; k < 2; k++) {
            const from = progress.from ? byHash.get(progress.from)?.order : undefined;
            const next = nextInSequence(v.order, from, progress);
            if (!next) break;
            sent.push(next.id);
            progress = afterSending(v, progress, next.id, NOW, UTC).progress;
          }
        }
        expect(new Set(sent).size).toBe(sent.length);
      }),
    );
  });
});

describe("decideSend: a claimed job against the content as it is now", () => {
  const V1 = published("w a b c");
  const base = {
    current: V1,
    from: V1.order,
    progress: at("w a", V1, NOW - DAY_MS),
    now: NOW,
    schedule: UTC,
  };
  it.each([
    [
      "planned under this order, still next -> send",
      { claimed: "b", plannedUnder: V1.hash },
      { kind: "send", id: "b" },
    ],
    [
      "planned under another order, next and due -> send",
      { claimed: "b", plannedUnder: "old" },
      { kind: "send", id: "b" },
    ],
    [
      "a longer delay now -> wait until the new time, nothing sent",
      { claimed: "b", plannedUnder: "old", current: published("w a b c", { b: 3 }) },
      { kind: "wait", id: "b", dueAt: NOW + 2 * DAY_MS },
    ],
    [
      "a shorter delay now -> send (its time has come)",
      {
        claimed: "b",
        plannedUnder: "old",
        progress: at("w a", V1, NOW - 0.6 * DAY_MS),
        current: published("w a b c", { b: 0.5 }),
      },
      { kind: "send", id: "b" },
    ],
    [
      "claimed email removed -> the next one, on its own delay",
      {
        claimed: "b",
        plannedUnder: V1.hash,
        current: published("w a c", { c: 2 }),
      },
      { kind: "wait", id: "c", dueAt: NOW + DAY_MS },
    ],
    [
      "a lesson inserted right after their last, due -> it is sent instead",
      { claimed: "b", plannedUnder: V1.hash, current: published("w a x b c") },
      { kind: "send", id: "x" },
    ],
    [
      "everything after them removed -> complete",
      { claimed: "b", plannedUnder: V1.hash, current: published("w a") },
      { kind: "complete" },
    ],
    [
      "an item written before ids (no claimed email) -> decided from its place",
      { claimed: undefined, plannedUnder: undefined },
      { kind: "send", id: "b" },
    ],
  ] as const)("%s", (_label, over, expected) => {
    expect(decideSend({ ...base, ...over })).toEqual(expected);
  });
});

describe("afterSending", () => {
  const V1 = published("w a b", { b: 2 });
  it.each([
    ["welcome sent -> a in a day", "", "w", { id: "a", dueAt: NOW + DAY_MS }],
    ["a sent -> b in two days", "w", "a", { id: "b", dueAt: NOW + 2 * DAY_MS }],
    ["b sent -> nothing left", "w a", "b", undefined],
  ])("%s", (_label, before, sent, next) => {
    const out = afterSending(V1, at(before, V1), sent, NOW, UTC);
    expect(out.next).toEqual(next);
    expect(out.progress).toEqual({
      lastId: sent,
      received: [...before.split(" ").filter(Boolean), sent],
      from: V1.hash,
      lastAt: NOW,
    });
  });
});

describe("resumeAfterCompletion: lessons appended after someone finished", () => {
  const V1 = published("w a b");
  const V2 = published("w a b c", { c: 2 });
  it("is due its delay after publication when they finished long ago", () => {
    const done = at("w a b", V1, NOW - 30 * DAY_MS);
    expect(resumeAfterCompletion(V2, V1.order, done, NOW, UTC)).toEqual({
      id: "c",
      dueAt: NOW + 2 * DAY_MS,
    });
  });
  it("nothing when no lesson was appended after theirs", () => {
    expect(resumeAfterCompletion(V1, V1.order, at("w a b", V1), NOW, UTC)).toBeUndefined();
    // A lesson inserted behind them does not count as new for them.
    const V3 = published("w x a b");
    expect(resumeAfterCompletion(V3, V1.order, at("w a b", V1), NOW, UTC)).toBeUndefined();
  });
});

describe("progressOf: items written with a positional step", () => {
  const original = published("w a b c");
  const legacy = (step: number) => ({
    step,
    sends: [{ id: "x", at: "2026-03-01T00:00:00.000Z", messageId: "m" }],
  });
  it.each([
    [0, { received: [], lastAt: Date.parse("2026-03-01T00:00:00Z") }],
    [
      2,
      {
        lastId: "a",
        received: ["w", "a"],
        from: original.hash,
        lastAt: Date.parse("2026-03-01T00:00:00Z"),
      },
    ],
    [
      9,
      {
        lastId: "c",
        received: ["w", "a", "b", "c"],
        from: original.hash,
        lastAt: Date.parse("2026-03-01T00:00:00Z"),
      },
    ],
  ])("step %i of the original order", (step, expected) => {
    expect(progressOf(legacy(step), original)).toEqual(expected);
  });

  it("step 3 (b was last), b since removed -> continues with c", () => {
    const p = progressOf(legacy(3), original);
    expect(nextInSequence(order("w a c"), original.order, p)?.id).toBe("c");
  });

  it("items with ids are read as they are", () => {
    const p = progressOf(
      { lastId: "a", received: ["w", "a"], seq: "h", lastAt: "2026-03-02T00:00:00.000Z", step: 7 },
      original,
    );
    expect(p).toEqual({
      lastId: "a",
      received: ["w", "a"],
      from: "h",
      lastAt: Date.parse("2026-03-02T00:00:00Z"),
    });
  });
});

describe("orderHash", () => {
  it("is the same for the same order and changes with ids, order or delays", () => {
    const h = orderHash(order("w a b"));
    expect(orderHash(order("w a b"))).toBe(h);
    expect(orderHash(order("w b a"))).not.toBe(h);
    expect(orderHash(order("w a b", { b: 2 }))).not.toBe(h);
    expect(orderHash(order("w a"))).not.toBe(h);
  });
});

describe("diffOrders: what an edit changes", () => {
  it.each([
    ["nothing", "w a b c", "w a b c", {}, { added: [], removed: [], moved: [], delays: [] }],
    [
      "insert",
      "w a b",
      "w a x b",
      {},
      { added: [{ id: "x", position: 3 }], removed: [], moved: [], delays: [] },
    ],
    ["remove", "w a b c", "w a c", {}, { added: [], removed: ["b"], moved: [], delays: [] }],
    [
      "one lesson moved to the end: only it is moved",
      "w a b c d",
      "w b c d a",
      {},
      { added: [], removed: [], moved: [{ id: "a", from: 2, to: 5 }], delays: [] },
    ],
    [
      "a new delay",
      "w a b",
      "w a b",
      { b: 3 },
      { added: [], removed: [], moved: [], delays: [{ id: "b", before: 1, after: 3 }] },
    ],
  ])("%s", (_label, before, after, delays, expected) => {
    expect(diffOrders(order(before), order(after, delays))).toEqual(expected);
  });
});

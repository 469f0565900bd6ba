import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../functions/core/schedule";
import type { Consent, Status, Subscriber } from "../../functions/core/subscriber";
import { dueShard } from "../../functions/core/tokens";
import {
  afterSend,
  awaitsConfirmation,
  type Decision,
  DUE_SHARDS,
  EVIDENCE_KEPT,
  isExpired,
  MINUTE_MS,
  onConfirm,
  onFeedback,
  onNewLessons,
  onSignup,
  onUnsubscribe,
  PENDING_TTL_MS,
  parkedShard,
  replan,
  type SignupInput,
} from "../../functions/core/transitions";

const NOW = Date.parse("2026-05-01T12:00:00Z");
const HOUR_MS = 60 * MINUTE_MS;
const iso = (ms: number) => new Date(ms).toISOString();
const sec = (ms: number) => Math.floor(ms / 1000);

/** First base64url char "B" makes the first byte 4, so the shard is "4" of 8. */
const SID = "BAAAAAAAAAAAAAAAAAAAAA";
const SHARD = "4";

const consentThen: Consent = {
  at: iso(NOW - 2 * DAY_MS),
  ip: "192.0.2.1",
  form: "landing",
  textVersion: "v1",
};
const consentNow: Consent = { at: iso(NOW), ip: "192.0.2.9", form: "landing", textVersion: "v2" };

const input: SignupInput = {
  sid: SID,
  email: "ana@example.com",
  firstName: "Ana",
  timeZone: "America/New_York",
  consent: consentNow,
  sequenceId: "healthy-hips",
  generation: 5,
};

/** A subscriber as stored; pending, one confirmation sent an hour ago, unless overridden. */
function sub(overrides: Partial<Subscriber> = {}): Subscriber {
  return {
    sid: SID,
    email: "ana@example.com",
    firstName: "Ana",
    status: "pending",
    version: 3,
    createdAt: iso(NOW - 2 * DAY_MS),
    updatedAt: iso(NOW - HOUR_MS),
    consent: consentThen,
    sequenceId: "healthy-hips",
    received: [],
    timeZone: "Europe/London",
    sends: [],
    expiresAt: sec(NOW + 6 * DAY_MS),
    ...overrides,
  };
}

/** An active subscriber midway through the sequence, holding a due slot and a lease. */
function active(overrides: Partial<Subscriber> = {}): Subscriber {
  const { expiresAt: _gone, ...rest } = sub({
    status: "active",
    confirmedAt: iso(NOW - DAY_MS),
    lastId: "lesson-1",
    received: ["welcome", "lesson-1"],
    nextId: "lesson-2",
    planned: "H1",
    dueAt: iso(NOW + DAY_MS),
    dueShard: SHARD,
    lease: "lease-1",
    ...overrides,
  });
  return rest;
}

/** What the store does with a decision (one conditional write), for multi-step tables. */
function apply(current: Subscriber | undefined, decision: Decision): Subscriber | undefined {
  if (decision.kind === "create") return decision.item;
  if (decision.kind !== "update" || !current) return current;
  const next: Subscriber = { ...current, ...decision.set, version: current.version + 1 };
  for (const attr of decision.remove) delete next[attr];
  return next;
}

const DUE_ATTRS = ["dueAt", "dueShard", "lease", "nextId", "planned"] as const;
const ENDED: Status[] = ["unsubscribed", "bounced", "complained"];

describe("onSignup", () => {
  /** The update a repeat signup while pending makes: evidence appended, nothing replaced. */
  const again = (current: Subscriber, firstName = "Ana"): Decision => ({
    kind: "update",
    set: {
      signups: [...(current.signups ?? []), consentNow],
      firstName,
      timeZone: input.timeZone,
      expiresAt: sec(NOW + PENDING_TTL_MS),
    },
    remove: [],
    sendConfirm: true,
  });

  const cases: [
    label: string,
    current: Subscriber | undefined,
    expected: Decision | ((current: Subscriber) => Decision),
    form?: SignupInput,
  ][] = [
    [
      "new address -> create pending (a confirmation is queued)",
      undefined,
      {
        kind: "create",
        sendConfirm: true,
        item: {
          ...input,
          status: "pending",
          version: 1,
          createdAt: iso(NOW),
          updatedAt: iso(NOW),
          received: [],
          sends: [],
          expiresAt: sec(NOW + PENDING_TTL_MS),
        },
      },
    ],
    ["pending -> evidence appended, confirmation queued", sub(), (c) => again(c)],
    ["expired pending -> a fresh expiry", sub({ expiresAt: sec(NOW - DAY_MS) }), (c) => again(c)],
    [
      "pending, empty first name on the form -> keeps the stored name",
      sub({ firstName: "Ana" }),
      (c) => again(c, "Ana"),
      { ...input, firstName: "" },
    ],
    [
      "pending, a new first name on the form -> takes the new name",
      sub({ firstName: "Ana" }),
      (c) => again(c, "Anna"),
      { ...input, firstName: "Anna" },
    ],
    [
      "active -> nothing changes; a reminder job is queued",
      active(),
      { kind: "noop", reason: "already subscribed", sendConfirm: true },
    ],
    [
      "completed -> nothing changes; a reminder job is queued",
      active({ status: "completed", lastId: "lesson-4", nextId: undefined }),
      { kind: "noop", reason: "already subscribed", sendConfirm: true },
    ],
    [
      "unsubscribed -> stays unsubscribed (the record survives), may confirm for 7 days",
      sub({ status: "unsubscribed", endedAt: iso(NOW - 20 * DAY_MS), expiresAt: undefined }),
      {
        kind: "update",
        set: {
          signups: [consentNow],
          timeZone: input.timeZone,
          rejoinUntil: iso(NOW + PENDING_TTL_MS),
        },
        remove: [],
        sendConfirm: true,
      },
    ],
    [
      "bounced -> noop, nothing queued",
      sub({ status: "bounced", expiresAt: undefined }),
      { kind: "noop", reason: "address bounced" },
    ],
    [
      "complained -> noop, nothing queued",
      sub({ status: "complained", expiresAt: undefined }),
      { kind: "noop", reason: "address complained" },
    ],
  ];

  it.each(cases)("%s", (_label, current, expected, form = input) => {
    const want = typeof expected === "function" ? expected(current as Subscriber) : expected;
    expect(onSignup(current, form, NOW)).toEqual(want);
  });

  it(`keeps the first signup's evidence and the latest ${EVIDENCE_KEPT} later ones`, () => {
    let current: Subscriber | undefined;
    for (let i = 0; i < 12; i++) {
      const consent = { ...consentNow, at: iso(NOW + i * MINUTE_MS) };
      current = apply(current, onSignup(current, { ...input, consent }, NOW + i * MINUTE_MS));
    }
    expect(current?.consent.at).toBe(iso(NOW));
    expect(current?.signups?.map((c) => c.at)).toEqual(
      [7, 8, 9, 10, 11].map((i) => iso(NOW + i * MINUTE_MS)),
    );
  });

  it("an unsubscribed record keeps its end and gets no TTL from a signup", () => {
    const left = sub({ status: "unsubscribed", endedAt: iso(NOW - DAY_MS), expiresAt: undefined });
    const next = apply(left, onSignup(left, input, NOW)) as Subscriber;
    expect(next).toMatchObject({ status: "unsubscribed", endedAt: iso(NOW - DAY_MS) });
    expect(next.expiresAt).toBeUndefined();
    expect(awaitsConfirmation(next, NOW + PENDING_TTL_MS - 1)).toBe(true);
    expect(awaitsConfirmation(next, NOW + PENDING_TTL_MS)).toBe(false);
  });
});

describe("onConfirm", () => {
  const WELCOME = { id: "welcome", planned: "H1" };
  const start = (shard = SHARD, next = WELCOME): Decision => ({
    kind: "update",
    set: {
      status: "active",
      confirmedAt: iso(NOW),
      nextId: next.id,
      planned: next.planned,
      dueAt: iso(NOW),
      dueShard: shard,
    },
    remove: ["expiresAt", "rejoinUntil", "lease"],
    kick: true,
  });
  const completed: Decision = {
    kind: "update",
    set: {
      status: "completed",
      confirmedAt: iso(NOW),
      dueShard: parkedShard(SHARD),
      dueAt: iso(NOW),
    },
    remove: ["expiresAt", "rejoinUntil", "lease", "nextId", "planned"],
  };
  const RESUME = { id: "lesson-3", planned: "H1" };

  const cases: [
    label: string,
    current: Subscriber | undefined,
    next: { id: string; planned: string } | undefined,
    expected: Decision,
  ][] = [
    ["unknown -> refuse unknown", undefined, WELCOME, { kind: "refuse", reason: "unknown" }],
    ["pending -> active, welcome due now, kicked", sub(), WELCOME, start()],
    ["pending with a stale lease -> lease removed", sub({ lease: "old-lease" }), WELCOME, start()],
    [
      "pending again after leaving at lesson 2 -> active, lesson 3 due now",
      sub({ lastId: "lesson-2", received: ["welcome", "lesson-1", "lesson-2"] }),
      RESUME,
      start(SHARD, RESUME),
    ],
    [
      "pending with nothing left to send -> completed, parked",
      sub({ lastId: "lesson-4" }),
      undefined,
      completed,
    ],
    ["pending, 1 s before expiry -> active", sub({ expiresAt: sec(NOW) + 1 }), WELCOME, start()],
    [
      "pending, expiry == now -> refuse expired",
      sub({ expiresAt: sec(NOW) }),
      WELCOME,
      { kind: "refuse", reason: "expired" },
    ],
    [
      "pending, expired a day ago -> refuse expired",
      sub({ expiresAt: sec(NOW - DAY_MS) }),
      WELCOME,
      { kind: "refuse", reason: "expired" },
    ],
    ...ENDED.map((status): [string, Subscriber, typeof WELCOME, Decision] => [
      `${status} -> refuse ended`,
      sub({ status, expiresAt: undefined }),
      WELCOME,
      { kind: "refuse", reason: "ended" },
    ]),
    ["active -> noop", active(), RESUME, { kind: "noop", reason: "already confirmed" }],
    [
      "completed -> noop",
      active({ status: "completed", lastId: "lesson-4", nextId: undefined }),
      undefined,
      { kind: "noop", reason: "already confirmed" },
    ],
  ];

  it.each(cases)("%s", (_label, current, next, expected) => {
    expect(onConfirm(current, NOW, next)).toEqual(expected);
  });

  it.each([
    "AAAAAAAAAAAAAAAAAAAAAA",
    "BAAAAAAAAAAAAAAAAAAAAA",
    "_____________________w",
    "x7Qm-Lz_0aBcDeFgHiJkLm",
  ])("sid %s gets its own due shard", (sid) => {
    const decision = onConfirm(sub({ sid }), NOW, WELCOME);
    expect(decision).toEqual(start(dueShard(sid, DUE_SHARDS)));
  });

  it("confirming twice: the second is a noop", () => {
    const once = apply(sub(), onConfirm(sub(), NOW, WELCOME));
    expect(once?.status).toBe("active");
    expect(onConfirm(once, NOW + 1000, WELCOME)).toEqual({
      kind: "noop",
      reason: "already confirmed",
    });
  });
});
describe("onUnsubscribe", () => {
  const ends: Decision = {
    kind: "update",
    set: { status: "unsubscribed", endedAt: iso(NOW) },
    remove: ["expiresAt", ...DUE_ATTRS],
  };

  const cases: [label: string, current: Subscriber | undefined, expected: Decision][] = [
    ["unknown -> noop", undefined, { kind: "noop", reason: "unknown" }],
    ["pending -> unsubscribed", sub(), ends],
    ["active, due and leased -> unsubscribed", active(), ends],
    [
      "completed -> unsubscribed",
      active({ status: "completed", lastId: "lesson-4", nextId: undefined }),
      ends,
    ],
    ...ENDED.map((status): [string, Subscriber, Decision] => [
      `${status} -> noop`,
      sub({ status, expiresAt: undefined }),
      { kind: "noop", reason: `already ${status}` },
    ]),
  ];

  it.each(cases)("%s", (_label, current, expected) => {
    expect(onUnsubscribe(current, NOW)).toEqual(expected);
  });

  it.each([
    ["pending", sub()],
    ["active", active()],
  ])("%s: the stored item leaves the due index and loses its expiry", (_label, current) => {
    const after = apply(current, onUnsubscribe(current, NOW));
    expect(after?.status).toBe("unsubscribed");
    for (const attr of ["dueAt", "dueShard", "lease", "expiresAt"] as const) {
      expect(after).not.toHaveProperty(attr);
    }
    expect(onUnsubscribe(after, NOW + 1)).toEqual({ kind: "noop", reason: "already unsubscribed" });
  });
});

describe("onFeedback", () => {
  const ends = (status: "bounced" | "complained"): Decision => ({
    kind: "update",
    set: { status, endedAt: iso(NOW) },
    remove: ["expiresAt", ...DUE_ATTRS],
  });

  const cases: [
    label: string,
    current: Subscriber | undefined,
    kind: "bounced" | "complained",
    expected: Decision,
  ][] = [
    ["unknown, bounce", undefined, "bounced", { kind: "noop", reason: "unknown" }],
    ["unknown, complaint", undefined, "complained", { kind: "noop", reason: "unknown" }],
    ["pending, bounce", sub(), "bounced", ends("bounced")],
    ["pending, complaint", sub(), "complained", ends("complained")],
    ["active, bounce", active(), "bounced", ends("bounced")],
    ["active, complaint", active(), "complained", ends("complained")],
    ["completed, bounce", active({ status: "completed" }), "bounced", ends("bounced")],
    ["completed, complaint", active({ status: "completed" }), "complained", ends("complained")],
    ["unsubscribed, bounce", sub({ status: "unsubscribed" }), "bounced", ends("bounced")],
    ["unsubscribed, complaint", sub({ status: "unsubscribed" }), "complained", ends("complained")],
    [
      "bounced, bounce again",
      sub({ status: "bounced" }),
      "bounced",
      { kind: "noop", reason: "already bounced" },
    ],
    ["bounced, then a complaint", sub({ status: "bounced" }), "complained", ends("complained")],
    [
      "complained, complaint again",
      sub({ status: "complained" }),
      "complained",
      { kind: "noop", reason: "already complained" },
    ],
    [
      "complained, then a bounce (complaint stays)",
      sub({ status: "complained" }),
      "bounced",
      { kind: "noop", reason: "already complained" },
    ],
  ];

  it.each(cases)("%s", (_label, current, kind, expected) => {
    expect(onFeedback(current, kind, NOW)).toEqual(expected);
  });

  it.each([
    ["bounced", ["bounced", "bounced", "bounced"], "bounced"],
    ["complained", ["complained", "complained"], "complained"],
    ["bounce then complaint", ["bounced", "complained", "bounced"], "complained"],
  ] as const)("repeated feedback (%s) settles on one state", (_label, events, final) => {
    let current: Subscriber | undefined = active();
    const writes = events.filter((kind) => {
      const decision = onFeedback(current, kind, NOW);
      current = apply(current, decision);
      return decision.kind === "update";
    });
    expect(current?.status).toBe(final);
    expect(writes.length).toBe(new Set(events).size);
    expect(current).not.toHaveProperty("dueAt");
  });
});

describe("afterSend and replan", () => {
  const progress = (ids: string[]) => ({
    lastId: ids.at(-1),
    received: ids,
    from: "H1",
    lastAt: NOW,
  });
  const place = (ids: string[]) => ({
    lastId: ids.at(-1),
    received: ids,
    seq: "H1",
    lastAt: iso(NOW),
  });
  const PARKED = { dueShard: parkedShard(SHARD), dueAt: iso(NOW) };

  it.each([
    [
      "welcome sent, lesson 1 next",
      ["welcome"],
      { id: "lesson-1", dueAt: NOW + DAY_MS },
      {
        set: { ...place(["welcome"]), nextId: "lesson-1", planned: "H2", dueAt: iso(NOW + DAY_MS) },
        remove: ["lease", "step"],
      },
    ],
    [
      "lesson 2 sent, lesson 3 in 2.5 days",
      ["welcome", "lesson-1", "lesson-2"],
      { id: "lesson-3", dueAt: NOW + 2.5 * DAY_MS },
      {
        set: {
          ...place(["welcome", "lesson-1", "lesson-2"]),
          nextId: "lesson-3",
          planned: "H2",
          dueAt: iso(NOW + 2.5 * DAY_MS),
        },
        remove: ["lease", "step"],
      },
    ],
    [
      "last lesson sent -> completed, parked for lessons appended later",
      ["welcome", "lesson-1"],
      undefined,
      {
        set: { ...place(["welcome", "lesson-1"]), status: "completed", ...PARKED },
        remove: ["lease", "nextId", "planned", "step"],
      },
    ],
  ] as const)("%s", (_label, ids, next, expected) => {
    expect(afterSend(SID, progress([...ids]), next, "H2")).toEqual(expected);
  });

  it("replan: an edit moved the next email -> planned anew, nothing recorded as sent", () => {
    expect(replan(SID, { id: "lesson-9", dueAt: NOW + DAY_MS }, "H2", NOW)).toEqual({
      set: { nextId: "lesson-9", planned: "H2", dueAt: iso(NOW + DAY_MS) },
      remove: ["lease"],
    });
  });

  it("replan: an edit left nothing -> completed and parked, progress untouched", () => {
    expect(replan(SID, undefined, "H2", NOW)).toEqual({
      set: { status: "completed", ...PARKED },
      remove: ["lease", "nextId", "planned"],
    });
  });

  it("onNewLessons: completed -> active with the appended lesson due; anyone else: noop", () => {
    const done = active({ status: "completed", nextId: undefined, ...PARKED });
    expect(onNewLessons(done, { id: "lesson-5", dueAt: NOW + DAY_MS }, "H3")).toEqual({
      kind: "update",
      set: {
        status: "active",
        nextId: "lesson-5",
        planned: "H3",
        dueAt: iso(NOW + DAY_MS),
        dueShard: SHARD,
      },
      remove: ["lease"],
    });
    for (const status of ["active", ...ENDED] as const) {
      expect(onNewLessons(active({ status }), { id: "x", dueAt: NOW }, "H3").kind).toBe("noop");
    }
  });
});
describe("isExpired", () => {
  it.each([
    ["pending, expiry in 1 s", sub({ expiresAt: sec(NOW) + 1 }), false],
    ["pending, expiry == now", sub({ expiresAt: sec(NOW) }), true],
    ["pending, expired yesterday", sub({ expiresAt: sec(NOW - DAY_MS) }), true],
    ["pending without expiry", sub({ expiresAt: undefined }), false],
    ["active with a stale expiry", active({ expiresAt: sec(NOW - DAY_MS) }), false],
    ["unsubscribed with a stale expiry", sub({ status: "unsubscribed", expiresAt: 1 }), false],
  ])("%s -> %s", (_label, current, expected) => {
    expect(isExpired(current, NOW)).toBe(expected);
  });
});

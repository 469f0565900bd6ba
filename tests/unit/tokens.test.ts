import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenError } from "../../functions/core/errors";
import {
  createTokens,
  DEFAULT_KEY_GRACE_DAYS,
  dueShard,
  followKeys,
  hmacDigest,
  hmacSigner,
  keyedHash,
  keyId,
  PURPOSES,
  type Purpose,
  parseKeyRing,
  subscriberId,
  verifyFollowing,
} from "../../functions/core/tokens";

const KEY = "k".repeat(32);
const OTHER_KEY = "o".repeat(32);
const tokens = createTokens(KEY);

/** A whole second, so the signed expiry is exactly what was asked for. */
const EXPIRY = Date.parse("2026-06-01T00:00:00Z");
const BEFORE = EXPIRY - 60_000;
const SID = subscriberId(KEY, "ana@example.com");
const OTHER_SID = subscriberId(KEY, "ben@example.com");

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Replaces the character at `i` with one whose top bit differs, so the decoded bytes change. */
function flip(s: string, i: number): string {
  const at = B64URL.indexOf(s.charAt(i));
  const swapped = B64URL.charAt((at + 32) % 64);
  return s.slice(0, i) + swapped + s.slice(i + 1);
}

function split(token: string): [string, string] {
  const [body, sig] = token.split(".");
  if (body === undefined || sig === undefined) throw new Error(`not a token: ${token}`);
  return [body, sig];
}

const KID = keyId(KEY);
const GEN = 7;

/** A payload signed with the real key, to reach the checks that run after the signature. */
function signRaw(json: string, key = KEY): string {
  const body = Buffer.from(json).toString("base64url");
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

const confirmToken = tokens.sign({
  purpose: "confirm",
  sid: SID,
  generation: GEN,
  expiresAt: EXPIRY,
});
const [body, sig] = split(confirmToken);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return (error as Error).message;
  }
  throw new Error("expected a TokenError, but the token was accepted");
}

describe("createTokens: round trip", () => {
  const cases = [
    ...PURPOSES.map((purpose) => ({ purpose, generation: GEN, emailId: undefined })),
    { purpose: "email" as const, generation: 0, emailId: "lesson-2" },
    { purpose: "email" as const, generation: 2 ** 31 - 1, emailId: "welcome" },
    { purpose: "stamp" as const, generation: undefined, emailId: undefined },
  ];

  it.each(cases)(
    "$purpose (generation $generation, email $emailId) verifies to its claims",
    (c) => {
      const token = tokens.sign({ ...c, sid: SID, expiresAt: EXPIRY });
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      expect(tokens.verify(token, c.purpose, BEFORE)).toEqual({
        version: 2,
        purpose: c.purpose,
        sid: SID,
        generation: c.generation,
        emailId: c.emailId,
        keyId: KID,
        expiresAt: EXPIRY,
      });
    },
  );

  it("the payload names purpose, key, subscriber, generation, email and expiry", () => {
    const token = tokens.sign({
      purpose: "email",
      sid: SID,
      generation: GEN,
      emailId: "lesson-3",
      expiresAt: EXPIRY,
    });
    const payload = JSON.parse(Buffer.from(split(token)[0], "base64url").toString());
    expect(payload).toEqual({ v: 2, p: "email", k: KID, s: SID, g: GEN, m: "lesson-3", e: EXPIRY });
  });

  it("verify accepts any of several purposes, and only those", () => {
    expect(tokens.verify(confirmToken, ["email", "confirm"], BEFORE).purpose).toBe("confirm");
    expect(refusal(() => tokens.verify(confirmToken, ["email", "unsubscribe"], BEFORE))).toBe(
      "wrong purpose",
    );
  });

  it("a second instance with the same key verifies the first one's tokens", () => {
    expect(createTokens(KEY).verify(confirmToken, "confirm", BEFORE).sid).toBe(SID);
  });
});

describe("createTokens: refusals", () => {
  const otherSidToken = tokens.sign({ purpose: "confirm", sid: OTHER_SID, expiresAt: EXPIRY });
  const [otherBody, otherSig] = split(otherSidToken);
  const forgedBody = Buffer.from(
    JSON.stringify({ p: "confirm", s: OTHER_SID, e: EXPIRY }),
  ).toString("base64url");

  const cases: [label: string, token: string, purpose: Purpose, now: number, message: string][] = [
    // The payload is decoded first, to find the key it names: a flip that breaks the JSON is
    // refused there, one that keeps it is refused by the signature.
    [
      "payload: first char flipped",
      `${flip(body, 0)}.${sig}`,
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "payload: middle char flipped",
      `${flip(body, body.length >> 1)}.${sig}`,
      "confirm",
      BEFORE,
      "bad signature",
    ],
    [
      "payload: last char flipped",
      `${flip(body, body.length - 1)}.${sig}`,
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signature: first char flipped",
      `${body}.${flip(sig, 0)}`,
      "confirm",
      BEFORE,
      "bad signature",
    ],
    ["signature: char 20 flipped", `${body}.${flip(sig, 20)}`, "confirm", BEFORE, "bad signature"],
    [
      "signature: last char flipped",
      `${body}.${flip(sig, sig.length - 1)}`,
      "confirm",
      BEFORE,
      "bad signature",
    ],
    ["truncated by one char", confirmToken.slice(0, -1), "confirm", BEFORE, "bad signature"],
    [
      "truncated to half a signature",
      `${body}.${sig.slice(0, 21)}`,
      "confirm",
      BEFORE,
      "bad signature",
    ],
    ["signature missing", `${body}.`, "confirm", BEFORE, "malformed token"],
    ["payload only", body, "confirm", BEFORE, "malformed token"],
    ["payload missing", `.${sig}`, "confirm", BEFORE, "malformed token"],
    ["trailing dot", `${confirmToken}.`, "confirm", BEFORE, "malformed token"],
    ["leading dot", `.${confirmToken}`, "confirm", BEFORE, "malformed token"],
    ["double dot", `${body}..${sig}`, "confirm", BEFORE, "malformed token"],
    ["three parts", `${body}.${sig}.${sig}`, "confirm", BEFORE, "malformed token"],
    ["empty string", "", "confirm", BEFORE, "malformed token"],
    ["a lone dot", ".", "confirm", BEFORE, "malformed token"],
    [
      "513 characters",
      `${body}.${sig}${"A".repeat(513 - confirmToken.length)}`,
      "confirm",
      BEFORE,
      "malformed token",
    ],
    [
      "100 000 characters",
      `${"A".repeat(50_000)}.${"B".repeat(50_000)}`,
      "confirm",
      BEFORE,
      "malformed token",
    ],
    [
      "signed with another key",
      createTokens(OTHER_KEY).sign({ purpose: "confirm", sid: SID, expiresAt: EXPIRY }),
      "confirm",
      BEFORE,
      "unknown key",
    ],
    [
      "another key's signature under this key's id",
      signRaw(JSON.stringify({ v: 2, p: "confirm", k: KID, s: SID, e: EXPIRY }), OTHER_KEY),
      "confirm",
      BEFORE,
      "bad signature",
    ],
    [
      "v1 payload signed with another key",
      signRaw(JSON.stringify({ p: "unsubscribe", s: SID, e: EXPIRY }), OTHER_KEY),
      "unsubscribe",
      BEFORE,
      "bad signature",
    ],
    [
      "signed payload with a negative generation",
      signRaw(JSON.stringify({ v: 2, p: "email", k: KID, s: SID, g: -1, e: EXPIRY })),
      "email",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with a fractional generation",
      signRaw(JSON.stringify({ v: 2, p: "email", k: KID, s: SID, g: 1.5, e: EXPIRY })),
      "email",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload claiming format 3",
      signRaw(JSON.stringify({ v: 3, p: "email", k: KID, s: SID, e: EXPIRY })),
      "email",
      BEFORE,
      "malformed payload",
    ],
    [
      "v2 purpose signed in the v1 shape",
      signRaw(JSON.stringify({ p: "email", s: SID, e: EXPIRY })),
      "email",
      BEFORE,
      "malformed payload",
    ],
    ["confirm token used as an email link", confirmToken, "email", BEFORE, "wrong purpose"],
    ["confirm token used to erase", confirmToken, "erase", BEFORE, "wrong purpose"],
    [
      "other sid's payload with this signature",
      `${otherBody}.${sig}`,
      "confirm",
      BEFORE,
      "bad signature",
    ],
    [
      "this payload with other sid's signature",
      `${body}.${otherSig}`,
      "confirm",
      BEFORE,
      "bad signature",
    ],
    [
      "hand-made payload for another sid, old signature",
      `${forgedBody}.${sig}`,
      "confirm",
      BEFORE,
      "bad signature",
    ],
    ["confirm token used to unsubscribe", confirmToken, "unsubscribe", BEFORE, "wrong purpose"],
    ["confirm token used as a click", confirmToken, "click", BEFORE, "wrong purpose"],
    ["confirm token used as a form stamp", confirmToken, "stamp", BEFORE, "wrong purpose"],
    ["now == expiry", confirmToken, "confirm", EXPIRY, "expired"],
    ["1 ms after expiry", confirmToken, "confirm", EXPIRY + 1, "expired"],
    ["a year after expiry", confirmToken, "confirm", EXPIRY + 365 * 86_400_000, "expired"],
    [
      "signed payload that is not JSON",
      signRaw("not json"),
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with an unknown purpose",
      signRaw(JSON.stringify({ v: 2, p: "admin", k: KID, s: SID, e: EXPIRY })),
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with an extra field",
      signRaw(JSON.stringify({ v: 2, p: "confirm", k: KID, s: SID, e: EXPIRY, admin: true })),
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload without expiry",
      signRaw(JSON.stringify({ v: 2, p: "confirm", k: KID, s: SID })),
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with a sid outside base64url",
      signRaw(JSON.stringify({ v: 2, p: "confirm", k: KID, s: "a/b", e: EXPIRY })),
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with a fractional expiry",
      signRaw(JSON.stringify({ v: 2, p: "confirm", k: KID, s: SID, e: EXPIRY + 0.5 })),
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with an expiry given as text",
      signRaw(JSON.stringify({ v: 2, p: "confirm", k: KID, s: SID, e: String(EXPIRY) })),
      "confirm",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with a generation beyond the safe integers",
      signRaw(JSON.stringify({ v: 2, p: "email", k: KID, s: SID, g: 2 ** 53, e: EXPIRY })),
      "email",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with an email id outside its alphabet",
      signRaw(JSON.stringify({ v: 2, p: "email", k: KID, s: SID, m: "Lesson_1", e: EXPIRY })),
      "email",
      BEFORE,
      "malformed payload",
    ],
    [
      "signed payload with a legacy purpose in format 2",
      signRaw(JSON.stringify({ v: 2, p: "unsubscribe", k: KID, s: SID, e: EXPIRY })),
      "unsubscribe",
      BEFORE,
      "malformed payload",
    ],
  ];

  it.each(cases)("%s -> %s refused (%s)", (_label, token, purpose, now, message) => {
    expect(refusal(() => tokens.verify(token, purpose, now))).toBe(message);
  });

  it("1 ms before expiry is still valid", () => {
    expect(tokens.verify(confirmToken, "confirm", EXPIRY - 1).expiresAt).toBe(EXPIRY);
  });

  it.each([
    ["undefined", undefined],
    ["a number", 42],
    ["null", null],
  ])("a non-string token (%s) is malformed", (_label, token) => {
    expect(refusal(() => tokens.verify(token as unknown as string, "confirm", BEFORE))).toBe(
      "malformed token",
    );
  });
});

describe("createTokens: key length", () => {
  it.each([
    ["empty string", "", true],
    ["31 ASCII chars", "k".repeat(31), true],
    ["31-byte Buffer", Buffer.alloc(31, 1), true],
    ["32 ASCII chars", "k".repeat(32), false],
    ["32-byte Buffer", Buffer.alloc(32, 1), false],
    ["16 two-byte chars (32 bytes)", "é".repeat(16), false],
    ["64 chars", "k".repeat(64), false],
  ])("%s -> throws: %s", (_label, key, throws) => {
    if (throws) expect(() => createTokens(key)).toThrow(TokenError);
    else expect(() => createTokens(key)).not.toThrow();
  });
});

describe("subscriberId", () => {
  const addresses = [
    "ana@example.com",
    "Ana@example.com",
    "ana+hips@example.com",
    "ben@example.com",
  ];

  it.each(addresses)("%s: stable, URL-safe, 22 chars, fits a token", (address) => {
    const sid = subscriberId(KEY, address);
    expect(subscriberId(KEY, address)).toBe(sid);
    expect(subscriberId(Buffer.from(KEY), address)).toBe(sid);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const token = tokens.sign({ purpose: "email", sid, generation: 1, expiresAt: EXPIRY });
    expect(tokens.verify(token, "email", BEFORE).sid).toBe(sid);
  });

  it("differs per address", () => {
    const sids = addresses.map((a) => subscriberId(KEY, a));
    expect(new Set(sids).size).toBe(addresses.length);
  });

  it.each(addresses)("%s: differs per key", (address) => {
    expect(subscriberId(OTHER_KEY, address)).not.toBe(subscriberId(KEY, address));
  });
});

describe("dueShard", () => {
  const sids = Array.from({ length: 256 }, (_, i) => subscriberId(KEY, `reader${i}@example.com`));

  it.each([
    ["AAAAAAAAAAAAAAAAAAAAAA", 8, "0"],
    ["BAAAAAAAAAAAAAAAAAAAAA", 8, "4"],
    ["_____________________w", 8, "7"],
    ["_____________________w", 16, "15"],
    ["BAAAAAAAAAAAAAAAAAAAAA", 3, "1"],
    ["anything", 1, "0"],
  ])("dueShard(%s, %i) -> %s", (sid, shards, expected) => {
    expect(dueShard(sid, shards)).toBe(expected);
  });

  it.each([1, 2, 3, 8, 16])(
    "with %i shards: every sid lands in 0..n-1, the same each time",
    (n) => {
      for (const sid of sids) {
        const shard = dueShard(sid, n);
        expect(Number(shard)).toBeGreaterThanOrEqual(0);
        expect(Number(shard)).toBeLessThan(n);
        expect(shard).toMatch(/^\d+$/);
        expect(dueShard(sid, n)).toBe(shard);
      }
    },
  );

  it("spreads 256 subscribers over all 8 shards", () => {
    expect(new Set(sids.map((s) => dueShard(s, 8))).size).toBe(8);
  });
});

describe("createTokens: one spelling per token", () => {
  const token = tokens.sign({ purpose: "confirm", sid: SID, expiresAt: EXPIRY });
  const [body, sig] = token.split(".") as [string, string];
  const last = sig.at(-1) as string;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const sameBitsVariants = [...alphabet]
    .filter((c) => c !== last && alphabet.indexOf(c) >> 2 === alphabet.indexOf(last) >> 2)
    .map((c) => `${body}.${sig.slice(0, -1)}${c}`);
  it.each([
    ["padding", `${token}=`],
    ["stray characters", `${token}!!`],
    ...sameBitsVariants.map((t, i) => [`last character with the same high bits #${i}`, t]),
  ])("refuses %s", (_label, variant) => {
    expect(() => tokens.verify(variant, "confirm", EXPIRY - 1)).toThrow(TokenError);
  });
  it("keeps the expiry to the millisecond", () => {
    const at = 1_800_000_000_250;
    const t = tokens.sign({ purpose: "confirm", sid: SID, expiresAt: at });
    expect(tokens.verify(t, "confirm", at - 1).expiresAt).toBe(at);
    expect(() => tokens.verify(t, "confirm", at)).toThrow("expired");
  });
});

describe("createTokens: the payload's bytes", () => {
  /** The payload as it was first written: an object in this order, JSON.stringify, a Buffer. */
  function reference(c: {
    purpose: string;
    sid: string;
    generation?: number;
    emailId?: string;
    expiresAt: number;
  }) {
    const payload: Record<string, unknown> = {
      v: 2,
      p: c.purpose,
      k: KID,
      s: c.sid,
      e: Math.floor(c.expiresAt),
    };
    if (c.generation !== undefined) payload.g = c.generation;
    if (c.emailId !== undefined) payload.m = c.emailId;
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${createHmac("sha256", KEY).update(body).digest("base64url")}`;
  }

  it("are exactly JSON.stringify's, for every purpose, with and without generation and email", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PURPOSES),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.stringMatching(/^[a-z0-9-]{1,64}$/), { nil: undefined }),
        fc.double({ min: 1, max: 8.64e15, noNaN: true }),
        (purpose, sid, generation, emailId, expiresAt) => {
          const claims = { purpose, sid, generation, emailId, expiresAt };
          expect(tokens.sign(claims)).toBe(reference(claims));
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ["an email id verify would refuse", { emailId: "Lesson 1" }],
    ["an email id with a quote", { emailId: 'a"b' }],
    ["an email id too long", { emailId: "a".repeat(65) }],
    ["a negative generation", { generation: -1 }],
    ["a fractional generation", { generation: 1.5 }],
    ["an unknown purpose", { purpose: "admin" }],
    ["a subscriber id with a quote", { sid: 'a"b' }],
  ])("refuses to sign %s", (_label, bad) => {
    const claims = { purpose: "email", sid: SID, expiresAt: EXPIRY, ...bad } as never;
    expect(refusal(() => tokens.sign(claims))).toMatch(/cannot sign/);
  });
});

describe("format v1 tokens (emails sent before v2)", () => {
  const v1 = (p: string, extra: Record<string, unknown> = {}) =>
    signRaw(JSON.stringify({ p, s: SID, ...extra, e: EXPIRY }));

  it.each(["unsubscribe", "manage", "confirm"] as const)("a v1 %s token still verifies", (p) => {
    expect(tokens.verify(v1(p), p, BEFORE)).toEqual({
      version: 1,
      purpose: p,
      sid: SID,
      link: undefined,
      expiresAt: EXPIRY,
    });
  });

  it("a v1 click token keeps its link id", () => {
    expect(tokens.verify(v1("click", { l: "masterclass" }), "click", BEFORE).link).toBe(
      "masterclass",
    );
  });

  it("a v1 token still expires", () => {
    expect(refusal(() => tokens.verify(v1("unsubscribe"), "unsubscribe", EXPIRY))).toBe("expired");
  });
});

describe("key rotation", () => {
  const NEW_KEY = "n".repeat(32);
  const ROTATED = BEFORE - 86_400_000;
  const UNTIL = ROTATED + 30 * 86_400_000;
  const rotated = createTokens({ current: NEW_KEY, previous: { key: KEY, until: UNTIL } });
  const oldToken = tokens.sign({
    purpose: "email",
    sid: SID,
    generation: GEN,
    expiresAt: UNTIL * 2,
  });
  const oldV1 = signRaw(JSON.stringify({ p: "unsubscribe", s: SID, e: UNTIL * 2 }));

  it("the current key signs, and the token names it", () => {
    const t = rotated.sign({ purpose: "email", sid: SID, generation: GEN, expiresAt: EXPIRY });
    expect(rotated.keyId).toBe(keyId(NEW_KEY));
    expect(rotated.verify(t, "email", BEFORE).keyId).toBe(keyId(NEW_KEY));
    expect(refusal(() => tokens.verify(t, "email", BEFORE))).toBe("unknown key");
  });

  it("the previous key is accepted until the grace period ends, then refused", () => {
    expect(rotated.verify(oldToken, "email", UNTIL - 1).keyId).toBe(KID);
    expect(rotated.verify(oldV1, "unsubscribe", UNTIL - 1).version).toBe(1);
    expect(refusal(() => rotated.verify(oldToken, "email", UNTIL))).toBe("retired key");
    expect(refusal(() => rotated.verify(oldV1, "unsubscribe", UNTIL))).toBe("bad signature");
  });

  it("a key that is neither current nor previous is refused", () => {
    const third = createTokens("t".repeat(32)).sign({
      purpose: "email",
      sid: SID,
      expiresAt: EXPIRY,
    });
    expect(refusal(() => rotated.verify(third, "email", BEFORE))).toBe("unknown key");
  });
});

describe("a rotation seen without a restart (followKeys, verifyFollowing)", () => {
  const NEW_KEY = "n".repeat(32);
  // As the keys secret stores them: the plain key, then the ring a rotation writes.
  const before = KEY;
  const after = JSON.stringify({
    current: NEW_KEY,
    previous: KEY,
    rotatedAt: new Date(BEFORE - 86_400_000).toISOString(),
  });
  const newToken = createTokens(parseKeyRing(after)).sign({
    purpose: "confirm",
    sid: SID,
    expiresAt: EXPIRY,
  });
  /** An instance that read `before` at its start, and what it reads when it reads again. */
  const instance = (stored: () => Promise<string>, minGapMs = 60_000) => {
    const clock = { t: BEFORE, now: () => clock.t };
    let reads = 0;
    const tokens = followKeys(
      before,
      () => {
        reads++;
        return stored();
      },
      clock,
      minGapMs,
    );
    return { tokens, clock, reads: () => reads };
  };

  it("a token signed with a key rotated in since the start is verified after one read", async () => {
    const warm = instance(async () => after);
    expect(refusal(() => warm.tokens.verify(newToken, "confirm", BEFORE))).toBe("unknown key");
    const claims = await verifyFollowing(warm.tokens, newToken, "confirm", BEFORE);
    expect(claims.keyId).toBe(keyId(NEW_KEY));
    expect(warm.reads()).toBe(1);
    // From then on it signs with the new key, and the old key's links still verify.
    expect(warm.tokens.keyId).toBe(keyId(NEW_KEY));
    const old = createTokens(KEY).sign({ purpose: "confirm", sid: SID, expiresAt: EXPIRY });
    expect((await verifyFollowing(warm.tokens, old, "confirm", BEFORE)).keyId).toBe(keyId(KEY));
    expect(warm.reads()).toBe(1);
  });

  it("tokens that cannot read again refuse it, as before", async () => {
    await expect(verifyFollowing(createTokens(KEY), newToken, "confirm", BEFORE)).rejects.toThrow(
      "unknown key",
    );
  });

  it("forged key ids cost at most one read a minute, however many arrive", async () => {
    const warm = instance(async () => before);
    const forged = createTokens("f".repeat(32)).sign({
      purpose: "confirm",
      sid: SID,
      expiresAt: EXPIRY,
    });
    const tries = Array.from({ length: 50 }, () =>
      verifyFollowing(warm.tokens, forged, "confirm", BEFORE).catch((e: Error) => e.message),
    );
    expect(new Set(await Promise.all(tries))).toEqual(new Set(["unknown key"]));
    expect(warm.reads()).toBe(1);
    warm.clock.t += 59_999;
    await verifyFollowing(warm.tokens, forged, "confirm", BEFORE).catch(() => undefined);
    expect(warm.reads()).toBe(1);
    warm.clock.t += 1;
    await verifyFollowing(warm.tokens, forged, "confirm", BEFORE).catch(() => undefined);
    expect(warm.reads()).toBe(2);
  });

  it("a failed read changes nothing, and a bad signature under a known key reads nothing", async () => {
    const failing = instance(() => Promise.reject(new Error("throttled")));
    await expect(verifyFollowing(failing.tokens, newToken, "confirm", BEFORE)).rejects.toThrow(
      "unknown key",
    );
    expect(failing.reads()).toBe(1);
    // The keys it had still work after the failed read.
    const mine = failing.tokens.sign({ purpose: "confirm", sid: SID, expiresAt: EXPIRY });
    expect((await verifyFollowing(failing.tokens, mine, "confirm", BEFORE)).sid).toBe(SID);

    const warm = instance(async () => after, 0);
    const tampered = `${mine.slice(0, -2)}${mine.endsWith("AA") ? "AB" : "AA"}`;
    await expect(verifyFollowing(warm.tokens, tampered, "confirm", BEFORE)).rejects.toThrow();
    expect(warm.reads()).toBe(0);
  });
});

describe("parseKeyRing", () => {
  const A = "a".repeat(40);
  const B = "b".repeat(40);
  it("a plain key is the current key with no previous", () => {
    expect(parseKeyRing(`  ${A}\n`)).toEqual({ current: A });
  });
  it("JSON with a previous key accepts it for graceDays after rotatedAt", () => {
    const ring = parseKeyRing(
      JSON.stringify({ current: A, previous: B, rotatedAt: "2027-01-01T00:00:00Z", graceDays: 10 }),
    );
    expect(ring).toEqual({
      current: A,
      previous: { key: B, until: Date.parse("2027-01-11T00:00:00Z") },
    });
  });
  it(`graceDays defaults to ${DEFAULT_KEY_GRACE_DAYS}`, () => {
    const ring = parseKeyRing(
      JSON.stringify({ current: A, previous: B, rotatedAt: "2027-01-01T00:00:00Z" }),
    );
    expect(ring.previous?.until).toBe(
      Date.parse("2027-01-01T00:00:00Z") + DEFAULT_KEY_GRACE_DAYS * 86_400_000,
    );
  });
  it.each([
    ["a short plain key", "short", "at least 32 bytes"],
    ["broken JSON", "{current:", "not valid JSON"],
    ["a short current key", JSON.stringify({ current: "x" }), "current"],
    ["previous without rotatedAt", JSON.stringify({ current: A, previous: B }), "rotatedAt"],
    ["an unknown field", JSON.stringify({ current: A, next: B }), "key ring"],
  ])("%s is refused with a message that names the problem, never a key", (_l, stored, message) => {
    const text = refusal(() => parseKeyRing(stored));
    expect(text).toContain(message);
    expect(text).not.toContain(A);
  });
});

describe("signing: the token format does not change", () => {
  const key = "a-test-key-of-more-than-32-bytes-0123456789";
  // Written by the signer before its keys were prepared once per instance: same key, same
  // claims, same bytes, so links already sent and links sent now are one format.
  it.each([
    [
      {
        purpose: "email",
        sid: "AbC_dEf-0123456789abcdef",
        generation: 7,
        emailId: "hips-and-your-back",
        expiresAt: 1_800_000_000_000,
      },
      "eyJ2IjoyLCJwIjoiZW1haWwiLCJrIjoiOHFDSmtnIiwicyI6IkFiQ19kRWYtMDEyMzQ1Njc4OWFiY2RlZiIsImUiOjE4MDAwMDAwMDAwMDAsImciOjcsIm0iOiJoaXBzLWFuZC15b3VyLWJhY2sifQ.Z5JLCC91wMPKX4CSu2Lv9hyiI1hloWdtaodB-mbT3Ms",
    ],
    [
      {
        purpose: "confirm",
        sid: "AbC_dEf-0123456789abcdef",
        generation: 1,
        expiresAt: 1_800_000_000_000,
      },
      "eyJ2IjoyLCJwIjoiY29uZmlybSIsImsiOiI4cUNKa2ciLCJzIjoiQWJDX2RFZi0wMTIzNDU2Nzg5YWJjZGVmIiwiZSI6MTgwMDAwMDAwMDAwMCwiZyI6MX0.HVkGVIp_sbpBl48_93LWWyeoAnbcKwu4nVZNWCeVHc4",
    ],
    [
      { purpose: "stamp", sid: "nonce123", expiresAt: 1_800_000_000_123.7 },
      "eyJ2IjoyLCJwIjoic3RhbXAiLCJrIjoiOHFDSmtnIiwicyI6Im5vbmNlMTIzIiwiZSI6MTgwMDAwMDAwMDEyM30.z-1va6AvzZ6Yq10ygotdbPy_9D4yYuHNfIj66Dmcmag",
    ],
  ] as const)("%j signs as before", (claims, expected) => {
    expect(createTokens(key).sign(claims)).toBe(expected);
  });

  it("the signature is HMAC-SHA256 of the payload under the key, as a key given as bytes signs", () => {
    for (const k of [key, Buffer.from(key)]) {
      const t = createTokens(k).sign({ purpose: "confirm", sid: SID, expiresAt: EXPIRY });
      const [body, sig] = t.split(".") as [string, string];
      expect(sig).toBe(createHmac("sha256", key).update(body).digest("base64url"));
    }
  });
});

describe("keyedHash", () => {
  it("is createHmac's digest under whichever key it is given, one after another", () => {
    const keys = [KEY, OTHER_KEY, Buffer.from(KEY), KEY];
    for (const k of keys) {
      for (const text of ["mailbox:ana@example.com", "signup:10.0.0.1", ""]) {
        expect(keyedHash(k, text)).toEqual(createHmac("sha256", k).update(text).digest());
      }
    }
  });
});

describe("hmacSigner and hmacDigest", () => {
  it("give createHmac's bytes for keys of any length and content, and any text", () => {
    const key = fc.oneof(
      fc.string({ minLength: 32, maxLength: 200 }),
      fc.uint8Array({ minLength: 32, maxLength: 200 }).map((b) => Buffer.from(b)),
    );
    fc.assert(
      fc.property(key, fc.string({ maxLength: 300 }), fc.string(), (k, a, b) => {
        const sign = hmacSigner(k);
        const digest = hmacDigest(k);
        for (const text of [a, b, a]) {
          expect(sign(text)).toBe(createHmac("sha256", k).update(text).digest("base64url"));
          expect(digest(text).equals(createHmac("sha256", k).update(text).digest())).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("of a 64-byte key and of one longer than a block", () => {
    for (const k of ["k".repeat(64), "k".repeat(65), "é".repeat(40)]) {
      expect(hmacSigner(k)("payload")).toBe(
        createHmac("sha256", k).update("payload").digest("base64url"),
      );
      expect(hmacDigest(k)("payload")).toEqual(createHmac("sha256", k).update("payload").digest());
    }
  });
});

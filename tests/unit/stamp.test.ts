import { describe, expect, it } from "vitest";
import { createTokens } from "../../functions/core/tokens";
import { checkStamp, issueStamp, MIN_FILL_MS } from "../../functions/http/stamp";

const tokens = createTokens("s".repeat(32));
const otherTokens = createTokens("o".repeat(32));
/** A whole second: the stamp's issue time survives the token's one-second expiry resolution. */
const ISSUED = Date.parse("2026-05-01T12:00:00Z");
const TTL_MS = 24 * 3600 * 1000;

const clockAt = (ms: number) => ({ now: () => ms });
const stamp = issueStamp({ tokens, clock: clockAt(ISSUED) });
const [body = "", sig = ""] = stamp.split(".");

describe("checkStamp: time since the form was rendered", () => {
  it.each([
    ["at render time", 0, false],
    ["after 1 ms", 1, false],
    ["after 500 ms", 500, false],
    ["1 ms short of the minimum", MIN_FILL_MS - 1, false],
    ["exactly the minimum", MIN_FILL_MS, true],
    ["after 1.5 s", 1500, true],
    ["after a minute", 60_000, true],
    ["after 23 h", 23 * 3600 * 1000, true],
    ["1 s before the stamp expires", TTL_MS - 1000, true],
    ["when the stamp expires", TTL_MS, false],
    ["a day and an hour later", TTL_MS + 3600 * 1000, false],
    ["before it was issued (clock went back)", -5000, false],
  ])("%s (+%i ms) -> %s", async (_label, elapsed, expected) => {
    expect(await checkStamp({ tokens, clock: clockAt(ISSUED + elapsed) }, stamp)).toBe(expected);
  });
});

describe("checkStamp: what was submitted", () => {
  const later = clockAt(ISSUED + 60_000);
  const flipLast = (s: string) => s.slice(0, -2) + (s.at(-2) === "A" ? "B" : "A") + s.slice(-1);

  it.each([
    ["absent (the stamp is required)", undefined, false],
    ["empty", "", false],
    ["a fresh, intact stamp a minute old", stamp, true],
    ["garbage", "not-a-stamp", false],
    ["a lone dot", ".", false],
    ["three parts", `${stamp}.${sig}`, false],
    ["tampered payload", `${flipLast(body)}.${sig}`, false],
    ["tampered signature", `${body}.${flipLast(sig)}`, false],
    ["truncated", stamp.slice(0, -3), false],
    ["payload only", body, false],
    ["600 characters", `${"A".repeat(300)}.${"B".repeat(299)}`, false],
    ["signed with another key", issueStamp({ tokens: otherTokens, clock: clockAt(ISSUED) }), false],
    [
      "a confirm token, not a stamp",
      tokens.sign({ purpose: "confirm", sid: "abc", expiresAt: ISSUED + TTL_MS }),
      false,
    ],
    [
      "an email link token, not a stamp",
      tokens.sign({
        purpose: "email",
        sid: "abc",
        emailId: "welcome",
        expiresAt: ISSUED + TTL_MS,
      }),
      false,
    ],
  ])("%s -> %s", async (_label, submitted, expected) => {
    expect(await checkStamp({ tokens, clock: later }, submitted)).toBe(expected);
  });
});

describe("issueStamp", () => {
  it("signs a stamp that expires a day after it was issued", () => {
    const claims = tokens.verify(stamp, "stamp", ISSUED);
    expect(claims.purpose).toBe("stamp");
    expect(claims.expiresAt).toBe(ISSUED + TTL_MS);
  });

  it("gives every form its own nonce", () => {
    const sids = Array.from(
      { length: 20 },
      () => tokens.verify(issueStamp({ tokens, clock: clockAt(ISSUED) }), "stamp", ISSUED).sid,
    );
    expect(new Set(sids).size).toBe(20);
    for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});

describe("checkStamp: sub-second render times", () => {
  it.each([
    [999, false],
    [1000, true],
  ])("a stamp issued at …500 ms and checked %i ms later -> %s", async (age, ok) => {
    const tokens = createTokens("s".repeat(32));
    const issuedAt = 1_000_000_000_500;
    const stamp = issueStamp({ tokens, clock: { now: () => issuedAt } });
    expect(await checkStamp({ tokens, clock: { now: () => issuedAt + age } }, stamp)).toBe(ok);
  });
});

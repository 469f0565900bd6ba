import { describe, expect, it } from "vitest";
import { TokenError } from "../../functions/core/errors";
import { formatKeys, KEYS_LAYOUT, parseKeys } from "../../functions/core/keys-document";
import { parseKeyRing } from "../../functions/core/tokens";

const TOKEN = "t".repeat(64);
const ID = "i".repeat(64);
const RING = {
  current: "n".repeat(64),
  previous: TOKEN,
  rotatedAt: "2027-01-05T00:00:00Z",
  graceDays: 90,
};

describe("the keys secret", () => {
  it("reads a plain token key and a key ring, each as parseKeyRing reads its stored form", () => {
    expect(parseKeys(JSON.stringify({ layout: KEYS_LAYOUT, tokenKey: TOKEN, idKey: ID }))).toEqual({
      tokenKey: TOKEN,
      idKey: ID,
    });
    const ring = parseKeys(JSON.stringify({ layout: KEYS_LAYOUT, tokenKey: RING, idKey: ID }));
    expect(parseKeyRing(ring.tokenKey)).toEqual(parseKeyRing(JSON.stringify(RING)));
    expect(ring.idKey).toBe(ID);
  });

  it("formatKeys writes what parseKeys reads back, keeping a key ring an object", () => {
    for (const tokenKey of [TOKEN, JSON.stringify(RING)]) {
      const text = formatKeys({ tokenKey, idKey: ID });
      expect(JSON.parse(text).layout).toBe(KEYS_LAYOUT);
      expect(parseKeyRing(parseKeys(text).tokenKey)).toEqual(parseKeyRing(tokenKey));
      expect(parseKeys(text).idKey).toBe(ID);
    }
    expect(
      typeof JSON.parse(formatKeys({ tokenKey: JSON.stringify(RING), idKey: ID })).tokenKey,
    ).toBe("object");
  });

  it.each([
    ["not JSON", "nope", /not JSON/],
    ["not an object", "[1]", /not a JSON object/],
    ["another layout", { layout: "healthy-hips-keys-0", tokenKey: TOKEN, idKey: ID }, /layout/],
    ["no layout", { tokenKey: TOKEN, idKey: ID }, /layout/],
    ["no id key", { layout: KEYS_LAYOUT, tokenKey: TOKEN }, /idKey/],
    ["a short id key", { layout: KEYS_LAYOUT, tokenKey: TOKEN, idKey: "i".repeat(31) }, /idKey/],
    ["no token key", { layout: KEYS_LAYOUT, idKey: ID }, /tokenKey/],
    ["a short token key", { layout: KEYS_LAYOUT, tokenKey: "t".repeat(31), idKey: ID }, /32/],
    ["a broken ring", { layout: KEYS_LAYOUT, tokenKey: { current: "x" }, idKey: ID }, /ring/],
    ["an unknown field", { layout: KEYS_LAYOUT, tokenKey: TOKEN, idKey: ID, root: ID }, /root/],
  ])("refuses %s, naming the field and never a key", (_, value, message) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const error = (() => {
      try {
        parseKeys(text);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(TokenError);
    expect(error?.message).toMatch(message);
    for (const key of [TOKEN, ID]) expect(error?.message).not.toContain(key);
  });

  it("formatKeys refuses what parseKeys would", () => {
    expect(() => formatKeys({ tokenKey: "short", idKey: ID })).toThrow(TokenError);
    expect(() => formatKeys({ tokenKey: "{broken", idKey: ID })).toThrow(TokenError);
    expect(() => formatKeys({ tokenKey: TOKEN, idKey: "short" })).toThrow(TokenError);
  });
});

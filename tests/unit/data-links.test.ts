import { beforeAll, describe, expect, it } from "vitest";
import { TokenError } from "../../functions/core/errors";
import { LINK_TTL_MS, linkFits } from "../../functions/core/links";
import type { Subscriber } from "../../functions/core/subscriber";
import { createTokens, type Purpose, type TokenClaims } from "../../functions/core/tokens";
import { createComposer } from "../../functions/mail/compose";
import { ensureCourse } from "../../infra/build/course";

const SITE = "https://hips.example";
const NOW = Date.parse("2026-03-01T09:00:00Z");
const HOUR = 3_600_000;
const tokens = createTokens("k".repeat(64));
const sub = {
  sid: "s".repeat(22),
  email: "ana@example.com",
  firstName: "Ana",
  generation: 4242,
  createdAt: "2026-01-01T00:00:00Z",
} as Subscriber;

let exportToken: string;
let eraseToken: string;

beforeAll(async () => {
  const { course, emails } = await ensureCourse();
  const composer = createComposer({ course, emails, siteUrl: SITE, tokens });
  const mail = composer.dataLinks(sub, NOW);
  const link = (path: string) =>
    new URL((mail.text.match(new RegExp(`${SITE}${path}\\?t=\\S+`)) ?? [""])[0]).searchParams.get(
      "t",
    ) as string;
  exportToken = link("/manage/export");
  eraseToken = link("/manage/erase");
});

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TokenError);
    return (e as Error).message;
  }
  throw new Error("accepted");
};

describe("the emailed data links", () => {
  it("last an hour", () => {
    expect(LINK_TTL_MS.export).toBe(HOUR);
    expect(LINK_TTL_MS.erase).toBe(HOUR);
  });

  it.each([
    ["export", () => exportToken],
    ["erase", () => eraseToken],
  ] as const)("the %s link is for that one purpose only", (purpose, token) => {
    const claims = tokens.verify(token(), purpose, NOW);
    expect(claims).toMatchObject({ purpose, sid: sub.sid, generation: 4242, version: 2 });
    const others: Purpose[] = ["export", "erase", "email", "manage", "unsubscribe", "click"];
    for (const other of others.filter((p) => p !== purpose)) {
      expect(refusal(() => tokens.verify(token(), other, NOW))).toBe("wrong purpose");
    }
    expect(refusal(() => tokens.verify(token(), ["email", "manage"], NOW))).toBe("wrong purpose");
  });

  it.each([
    ["export", () => exportToken],
    ["erase", () => eraseToken],
  ] as const)("the %s link works until an hour after sending, then never", (purpose, token) => {
    expect(tokens.verify(token(), purpose, NOW + HOUR - 1).expiresAt).toBe(NOW + HOUR);
    expect(refusal(() => tokens.verify(token(), purpose, NOW + HOUR))).toBe("expired");
    expect(refusal(() => tokens.verify(token(), purpose, NOW + 30 * 86_400_000))).toBe("expired");
  });

  it("speak only for the record of their generation (an erase or a new signup ends them)", () => {
    const claims: TokenClaims = tokens.verify(exportToken, "export", NOW);
    expect(linkFits(claims, sub)).toBe(true);
    expect(linkFits(claims, undefined)).toBe(false);
    expect(linkFits(claims, { ...sub, generation: 4243 })).toBe(false);
    expect(linkFits(claims, { ...sub, sid: "t".repeat(22) })).toBe(false);
  });

  it("the two links are two different tokens", () => {
    expect(exportToken).not.toBe(eraseToken);
  });
});

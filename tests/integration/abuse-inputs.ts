import fc from "fast-check";
import { FORM_TYPE, JSON_TYPE } from "./abuse";

/** `encodeURIComponent` that survives lone surrogates (they become U+FFFD, as on the wire). */
export const enc = (s: string) => encodeURIComponent(Buffer.from(s, "utf8").toString("utf8"));

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The JSON payload of a token, or undefined when it has none. */
export function payloadOf(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The token with its payload edited and its original signature kept. */
export function withPayload(token: string, edit: (p: Record<string, unknown>) => void): string {
  const payload = payloadOf(token) ?? {};
  edit(payload);
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${token.split(".")[1] ?? ""}`;
}

interface MutationInput {
  token: string;
  other: string;
  sid: string;
  at: number;
  junk: string;
}

const flipAt = (s: string, i: number, at: number) => {
  const pos = B64URL.indexOf(s[i] as string);
  const next = pos < 0 ? "A" : (B64URL[(pos + 1 + (at % 63)) % 64] as string);
  return s.slice(0, i) + next + s.slice(i + 1);
};

/** Ways to spoil a token; each keeps it close to the real thing. */
const MUTATIONS: Record<string, (m: MutationInput) => string> = {
  flip: ({ token, at }) => flipAt(token, at % token.length, at),
  truncate: ({ token, at }) => token.slice(0, at % token.length),
  insert: ({ token, at, junk }) => {
    const i = at % token.length;
    return token.slice(0, i) + junk + token.slice(i);
  },
  delete: ({ token, at }) => {
    const i = at % token.length;
    return token.slice(0, i) + token.slice(i + 1);
  },
  append: ({ token, junk }) => token + junk,
  swapSignature: ({ token, other }) => `${token.split(".")[0]}.${other.split(".")[1] ?? ""}`,
  reverseParts: ({ token }) => token.split(".").reverse().join("."),
  otherSid: ({ token, sid }) => withPayload(token, (p) => Object.assign(p, { s: sid })),
  otherPurpose: ({ token }) =>
    withPayload(token, (p) => Object.assign(p, { p: p.p === "click" ? "manage" : "click" })),
  otherLink: ({ token }) => withPayload(token, (p) => Object.assign(p, { l: "guide" })),
  laterExpiry: ({ token }) => withPayload(token, (p) => Object.assign(p, { e: Number(p.e) * 2 })),
  signatureCase: ({ token }) => {
    const [body, sig = ""] = token.split(".");
    return `${body}.${sig.toUpperCase()}`;
  },
  standardBase64: ({ token }) => token.replaceAll("-", "+").replaceAll("_", "/"),
  padding: ({ token }) => `${token}=`,
  extraPart: ({ token }) => `${token}.${token.split(".")[1] ?? ""}`,
  whitespace: ({ token, at }) => {
    const i = at % token.length;
    return `${token.slice(0, i)} ${token.slice(i)}`;
  },
};

/**
 * Tokens that must never be accepted: each is a real token changed in one way (tampered,
 * truncated, extended, re-spelled, or its payload edited with the signature kept).
 */
export function mutatedToken(real: string[], sids: string[]) {
  return fc
    .record({
      token: fc.constantFrom(...real),
      other: fc.constantFrom(...real),
      sid: fc.oneof(fc.constantFrom(...sids), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)),
      at: fc.nat(),
      junk: fc.string({ minLength: 1, maxLength: 6 }),
      how: fc.constantFrom(...Object.keys(MUTATIONS)),
    })
    .map((m) => ({
      token: m.token,
      mutated: (MUTATIONS[m.how] as (m: MutationInput) => string)(m),
    }))
    .filter(({ token, mutated }) => mutated !== token)
    .map(({ mutated }) => mutated);
}

/** Strings that are not tokens at all. */
export const garbageToken = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,90}\.[A-Za-z0-9_-]{0,60}$/),
  fc.string({ minLength: 500, maxLength: 2000, unit: "grapheme-ascii" }),
  fc.constantFrom("", ".", "..", "null", "undefined", "%00", "../../etc/passwd", "a".repeat(513)),
);

/** Query strings that never carry a usable `t`. */
export const brokenQuery = fc.constantFrom(
  "",
  "?",
  "?t",
  "?t=",
  "?t=%",
  "?t=%ZZ",
  "?t=%E0%A4%A",
  "?T=x",
  "?t[]=x",
  "?t=%00",
  "?t=a.b&t=c.d",
);

export type SignupCase = {
  init: RequestInit;
  kind: "json" | "form";
  expect: "refuse" | "soft";
  /** The exact status, where one is promised (415 wrong type, 413 too large). */
  status?: number;
};

/**
 * Bad signups of every kind, plus bot signups that must be refused softly. Every request comes
 * from its own address (`freshIp`), so the per-IP limit never answers in validation's place.
 */
export function badSignup(
  freshIp: () => string,
  freshStamp: () => string,
): fc.Arbitrary<SignupCase> {
  const headers = (type: string, ip = freshIp()) => ({
    "content-type": type,
    "x-forwarded-for": ip,
  });
  const json = (body: unknown, type = JSON_TYPE): SignupCase => ({
    init: { method: "POST", headers: headers(type), body: JSON.stringify(body) },
    kind: "json",
    expect: "refuse",
  });
  const form = (fields: Record<string, string>): SignupCase => ({
    init: {
      method: "POST",
      headers: headers(FORM_TYPE),
      body: new URLSearchParams(fields).toString(),
    },
    kind: "form",
    expect: "refuse",
  });
  const either = (fields: Record<string, string>) => fc.constantFrom(json(fields), form(fields));

  const good = fc.constantFrom("ana@example.com", "o.brien+hips@mail.example.org");
  const control = fc.constantFrom(
    "\u0000",
    "\u0007",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u001b",
    "\u007f",
    "\u0085",
    "\u009f",
    "\u2028",
    "\u2029",
  );
  const inside = (s: string, at: number, what: string) => {
    const i = 1 + (at % (s.length - 1));
    return s.slice(0, i) + what + s.slice(i);
  };
  const badEmail = fc.oneof(
    fc.tuple(good, fc.nat(), control).map(([e, at, c]) => inside(e, at, c)),
    good.map((e) => `${e}\r\nBcc: victim@example.com`),
    fc.stringMatching(/^[a-z]{65,80}$/).map((l) => `${l}@example.com`),
    fc.stringMatching(/^[a-z]{60}$/).map((l) => `ana@${`${l}.`.repeat(5)}com`),
    fc.constantFrom(
      "",
      "   ",
      "ana",
      "ana@",
      "@example.com",
      "ana@@example.com",
      "ana@exa mple.com",
      "ana @example.com",
      "ana@example",
      "ana@example.c",
      "ana@example.com.",
      "ana..b@example.com",
      ".ana@example.com",
      '"ana"@example.com',
      "ana@[127.0.0.1]",
      "anä@example.com",
      // (A Unicode domain such as "exаmple.com" is accepted: it is stored in punycode.)
      "ana@exa_mple.com",
      "<ana@example.com>",
      "Ana <ana@example.com>",
      "ana@example.com, bob@example.com",
      "ana@-example.com",
    ),
    fc.string({ maxLength: 40 }).filter((s) => !/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(s.trim())),
  );
  const badName = fc.oneof(
    fc.stringMatching(/^[A-Za-z]{81,199}$/),
    fc.string({ minLength: 200, maxLength: 400, unit: "grapheme-ascii" }),
    fc
      .tuple(fc.string({ minLength: 2, maxLength: 20 }), fc.nat(), control)
      .map(([n, at, c]) => inside(`${n}xy`, at, c)),
  );
  const notAString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.constant("ana@example.com"), { minLength: 1, maxLength: 2 }),
    fc.object({ maxDepth: 1 }),
  );
  const wrongType = fc
    .oneof(
      fc.constantFrom(
        "text/plain",
        "application/xml",
        "text/html",
        "application/x-json",
        "application/json-seq",
        "application/jsonx",
        "json",
        "multipart/mixed",
        "application/octet-stream",
        "form-data",
      ),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,15}$/),
    )
    .filter((t) => t !== JSON_TYPE && t !== FORM_TYPE && t !== "multipart/form-data");
  let bots = 0;
  const botEmail = () => `bot${++bots}.${Date.now()}@example.com`;

  return fc.oneof(
    // Random JSON values, never a body with an email string.
    fc
      .jsonValue()
      .filter((v) => !(v && typeof v === "object" && !Array.isArray(v) && "email" in v))
      .map((v) => json(v)),
    fc
      .string({ unit: "binary" })
      .map((s) => ({ ...json(null), init: { ...json(null).init, body: s } })),
    fc
      .constantFrom(
        '{"email": "ana@example.com"',
        "{'email': 'ana@example.com'}",
        "[",
        "\u0000",
        "",
      )
      .map((s) => ({ ...json(null), init: { ...json(null).init, body: s } })),
    // A good body with the wrong content type.
    wrongType.map((t) => ({
      ...json({ email: "ana@example.com", firstName: "Ana" }, t),
      status: 415,
    })),
    // Huge bodies.
    fc
      .integer({ min: 4097, max: 40_000 })
      .chain((n) => either({ email: "ana@example.com", firstName: "Ana", padding: "x".repeat(n) }))
      .map((c) => ({ ...c, status: 413 })),
    badEmail.chain((email) => either({ email, firstName: "Ana" })),
    badName.chain((firstName) => either({ email: "ana@example.com", firstName })),
    fc
      .tuple(fc.constantFrom("email", "firstName", "tz", "stamp", "website"), notAString)
      .map(([field, value]) => json({ email: "ana@example.com", [field]: value })),
    fc.constantFrom(json({}), json({ firstName: "Ana" }), json({ emial: "ana@example.com" })),
    fc.constantFrom(form({}), form({ firstName: "Ana" })),
    // Bytes that are not UTF-8, in JSON and in a form.
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => {
      const body = Buffer.concat([
        Buffer.from('{"email":"ana'),
        Buffer.from(bytes.map((b) => 0x80 | b)),
        Buffer.from('@example.com"}'),
      ]);
      return { ...json(null), init: { ...json(null).init, body } };
    }),
    fc.constant(form({ email: "ana" })).map((c) => ({
      ...c,
      init: { ...c.init, body: "email=ana%FF%FE%40example.com&firstName=%C0%AF" },
    })),
    // A file where a field should be.
    fc.constant(null).map((): SignupCase => {
      const data = new FormData();
      data.set("email", new Blob(["ana@example.com"]), "email.txt");
      return {
        init: { method: "POST", headers: { "x-forwarded-for": freshIp() }, body: data },
        kind: "form",
        expect: "refuse",
      };
    }),
    // A forged client address changes nothing about validation.
    fc.stringMatching(/^[\x21-\x7e]{0,60}$/).map((ip) => ({
      init: {
        method: "POST",
        headers: headers(JSON_TYPE, ip),
        body: JSON.stringify({ email: "ana@@example.com" }),
      },
      kind: "json" as const,
      expect: "refuse" as const,
    })),
    // Bots: honeypot filled, or a stamp that is forged or too fresh. Answered like success.
    fc
      .tuple(
        fc.constantFrom("json", "form"),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 100 }).map((website) => ({ website })),
          fc.stringMatching(/^[A-Za-z0-9_.-]{1,200}$/).map((stamp) => ({ stamp })),
          fc.constant(null).map(() => ({ stamp: freshStamp() })),
        ),
      )
      .map(([kind, extra]): SignupCase => {
        const fields = { email: botEmail(), firstName: "Bot", ...extra };
        const c = kind === "json" ? json(fields) : form(fields);
        return { ...c, expect: "soft" };
      }),
  );
}

import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import fc from "fast-check";
import { expect } from "vitest";

/**
 * What the app wrote to the table and handed to SES, seen from inside the SDK clients (an
 * `initialize` middleware on the real clients, not a mock: every call still reaches the emulator).
 */
export class WriteRecorder {
  readonly writes: { command: string; pk: string; sk: string }[] = [];
  sends = 0;

  attach({ dynamo, ses }: { dynamo: DynamoDBClient; ses: SESv2Client }) {
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        this.record(context.commandName ?? "", args.input as Record<string, unknown>);
        return next(args);
      },
      { step: "initialize", name: "abuseTestWrites" },
    );
    ses.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^Send/.test(context.commandName ?? "")) this.sends++;
        return next(args);
      },
      { step: "initialize", name: "abuseTestSends" },
    );
  }

  private record(command: string, input: Record<string, unknown>) {
    const str = (v: unknown) =>
      typeof v === "string" ? v : String((v as { S?: string } | undefined)?.S ?? "?");
    const keyed = (key: unknown) => {
      const k = key as Record<string, unknown> | undefined;
      this.writes.push({ command, pk: str(k?.pk), sk: str(k?.sk) });
    };
    if (/^Put/.test(command)) keyed(input.Item);
    else if (/^(Update|Delete)/.test(command)) keyed(input.Key);
    else if (/^BatchWrite/.test(command)) {
      for (const reqs of Object.values(input.RequestItems as Record<string, unknown[]>)) {
        for (const r of reqs as {
          PutRequest?: { Item: unknown };
          DeleteRequest?: { Key: unknown };
        }[])
          keyed(r.PutRequest?.Item ?? r.DeleteRequest?.Key);
      }
    }
  }

  /** Starts watching; the returned function tells what happened since. */
  watch() {
    const from = this.writes.length;
    const sends = this.sends;
    return () => {
      const since = this.writes.slice(from);
      return {
        subscriberWrites: since
          .filter((w) => !COUNTER.test(w.pk) && !RATE.test(w.pk))
          .map((w) => w.pk),
        statsWrites: since.filter((w) => COUNTER.test(w.pk)).length,
        sends: this.sends - sends,
      };
    };
  }
}

/** Counters (daily `STATS#`, sharded `STAT#`) and per-client rate items carry no identity. */
const COUNTER = /^STATS?#/;
const RATE = /^RATE#/;

export type Items = Record<string, Record<string, AttributeValue>>;

/** Reads the whole table (tests only: the app never scans), keyed by `pk sk`. */
export async function scanTable(endpoint: string): Promise<Items> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const items: Items = {};
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: "healthy-hips", ExclusiveStartKey }),
      );
      for (const item of page.Items ?? []) items[`${item.pk?.S} ${item.sk?.S}`] = item;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  } finally {
    client.destroy();
  }
}

/** Only the subscriber items (`SUB#…`), for "nothing was written" comparisons. */
export const subscriberItems = (items: Items): Items =>
  Object.fromEntries(Object.entries(items).filter(([k]) => k.startsWith("SUB#")));

const num = (v: AttributeValue | undefined) => Number(v?.N ?? 0);

/**
 * Between two snapshots, the only changes are new click records flagged `scanner` and higher
 * scanner counters: no profile changed, nothing was deleted, no human click or play counted.
 */
export function expectOnlyScannerClicks(before: Items, after: Items) {
  for (const key of Object.keys(before)) expect(after[key], `${key} still exists`).toBeDefined();
  for (const [key, item] of Object.entries(after)) {
    if (COUNTER.test(key) || RATE.test(key)) {
      for (const [attr, value] of Object.entries(item)) {
        if (/^clicks:|^humanClicks$|^clicked$|^watched$|^plays$/.test(attr))
          expect(num(value), `${key} ${attr}`).toBe(num(before[key]?.[attr]));
      }
      continue;
    }
    if (before[key]) {
      expect(item, key).toEqual(before[key]);
      continue;
    }
    expect(key).toMatch(/^SUB#\S+ CLICK#/);
    expect(item.scanner, `${key} is flagged as a scanner click`).toEqual({ BOOL: true });
  }
}

/** A JSON refusal as the API promises it: `{ error: string, issues: [...] }`. */
export function expectJsonError(status: number, type: string | null, text: string) {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  expect(type ?? "").toMatch(/application\/json/);
  const body = JSON.parse(text) as { error?: unknown; issues?: unknown };
  expect(typeof body.error).toBe("string");
  expect(Array.isArray(body.issues)).toBe(true);
}

/** A friendly page: 4xx, HTML, our layout. */
export function expectErrorPage(status: number, type: string | null, text: string) {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  expect(type ?? "").toMatch(/text\/html/);
  expect(text).toMatch(/<html/i);
}

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

const JSON_TYPE = "application/json";
const FORM_TYPE = "application/x-www-form-urlencoded";

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

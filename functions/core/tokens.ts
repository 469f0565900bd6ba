import { createHash, hash, timingSafeEqual } from "node:crypto";
import * as z from "zod/mini";
import { TokenError, UnknownKeyError } from "./errors";
import { lazy } from "./lazy";

/**
 * What a token may be used for (format v2):
 * - `confirm`: the double opt-in link of one confirmation email (short-lived);
 * - `email`: every link of one marketing email (click, unsubscribe, manage), one signature
 *   per email; the link id travels in the path, beside the token, and is checked against content;
 * - `export`, `erase`: the fresh, single-purpose links the manage page sends to the address;
 * - `stamp`: the signup form's render-time stamp.
 */
export const PURPOSES = ["confirm", "email", "export", "erase", "stamp"] as const;
export type SignPurpose = (typeof PURPOSES)[number];
/** Purposes of format-v1 tokens, still found in emails sent before v2; verified, never signed. */
export const LEGACY_PURPOSES = ["unsubscribe", "click", "manage"] as const;
export type Purpose = SignPurpose | (typeof LEGACY_PURPOSES)[number];

const SID = /^[A-Za-z0-9_-]{1,64}$/;
const EMAIL_ID = /^[a-z0-9-]{1,64}$/;
const SIGN_PURPOSES: ReadonlySet<string> = new Set(PURPOSES);

const KEY_ID = /^[A-Za-z0-9_-]{6}$/;
const V2_FIELDS: ReadonlySet<string> = new Set(["v", "p", "k", "s", "g", "m", "e"]);

/**
 * The claims of a v2 payload, or undefined unless it is exactly what `sign` writes: only the
 * v2 fields, a purpose that is signed now, a key id, a subscriber id, a whole non-negative
 * generation, an email id and a whole positive expiry. Checked by hand rather than with a
 * schema: every form stamp and every link in an email is verified here, on the visitor's wait.
 */
function v2Claims(raw: Record<string, unknown>): TokenClaims | undefined {
  for (const field in raw) if (!V2_FIELDS.has(field)) return undefined;
  const { p, k, s, g, m, e } = raw;
  if (
    raw.v !== 2 ||
    typeof p !== "string" ||
    !SIGN_PURPOSES.has(p) ||
    typeof k !== "string" ||
    !KEY_ID.test(k) ||
    typeof s !== "string" ||
    !SID.test(s) ||
    (g !== undefined && !(Number.isSafeInteger(g) && (g as number) >= 0)) ||
    (m !== undefined && !(typeof m === "string" && EMAIL_ID.test(m))) ||
    !(Number.isSafeInteger(e) && (e as number) > 0)
  ) {
    return undefined;
  }
  return {
    version: 2,
    purpose: p as SignPurpose,
    sid: s,
    generation: g as number | undefined,
    emailId: m as string | undefined,
    keyId: k,
    expiresAt: e as number,
  };
}

const V1 = lazy(() =>
  z.strictObject({
    p: z.enum(["confirm", "unsubscribe", "click", "manage", "stamp"]),
    s: z.string().check(z.regex(SID)),
    l: z.optional(z.string().check(z.regex(/^[a-z0-9:-]{1,64}$/))),
    e: z.number().check(z.int(), z.positive()),
  }),
);

/** What a token says once its key, signature, purpose and expiry are checked. */
export interface TokenClaims {
  /** 2 for tokens signed now; 1 for links in emails sent before format v2. */
  version: 1 | 2;
  purpose: Purpose;
  /** Subscriber id (or, for form stamps, a random nonce). */
  sid: string;
  /**
   * The subscriber record's generation when the token was signed; a link only acts while the
   * record still has it. Absent on stamps and on v1 tokens (see `linkFits` in ./links).
   */
  generation?: number;
  /** The email whose links this token signs (purpose `email`). */
  emailId?: string;
  /** Link id of a v1 click token. */
  link?: string;
  /** Id of the key that signed it (v2). */
  keyId?: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

/** What the signer is given: a v2 purpose and the claims that go with it. */
export interface SignClaims {
  purpose: SignPurpose;
  sid: string;
  generation?: number;
  emailId?: string;
  expiresAt: number;
}

/**
 * The signing keys: `current` signs, `previous` (the key before the last rotation) is still
 * accepted until `previousUntil` (epoch ms), the rotation's grace period.
 */
export interface KeyRing {
  current: string | Buffer;
  previous?: { key: string | Buffer; until: number };
}

/** How long the previous key is accepted after a rotation unless the key ring says otherwise. */
export const DEFAULT_KEY_GRACE_DAYS = 90;
const DAY_MS = 86_400_000;
const MIN_KEY_BYTES = 32;
const MAX_TOKEN_LENGTH = 512;
const SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * base64url of ASCII text (what every v2 payload is): `btoa` and two replacements cost half of
 * going through a Buffer. Throws on a character above U+00FF, which the caller never passes.
 */
function asciiBase64url(text: string): string {
  let s = btoa(text);
  if (s.includes("+")) s = s.replaceAll("+", "-");
  if (s.includes("/")) s = s.replaceAll("/", "_");
  const pad = s.indexOf("=");
  return pad < 0 ? s : s.slice(0, pad);
}

/** A short public name for a key (a hash prefix), so a token says which key signed it. */
export function keyId(key: string | Buffer): string {
  return createHash("sha256")
    .update("token-key-id:")
    .update(key)
    .digest()
    .subarray(0, 4)
    .toString("base64url");
}

/** An ISO 8601 time in UTC, e.g. 2027-01-05T00:00:00Z (zod's `iso` helpers pull four schemas). */
const UTC_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?Z$/;

const RingJson = lazy(() =>
  z.strictObject({
    current: z.string().check(z.minLength(MIN_KEY_BYTES)),
    previous: z.optional(z.string().check(z.minLength(MIN_KEY_BYTES))),
    rotatedAt: z.optional(z.string().check(z.regex(UTC_TIME))),
    graceDays: z.optional(z.number().check(z.nonnegative())),
  }),
);

/**
 * Reads a key ring from its stored form: either a plain key (no rotation yet), or JSON
 * `{"current": "...", "previous": "...", "rotatedAt": "2027-01-05T00:00:00Z", "graceDays": 90}`,
 * where the previous key is accepted until `rotatedAt` + `graceDays` (default
 * {@link DEFAULT_KEY_GRACE_DAYS}). Throws {@link TokenError} naming what is wrong, never a key.
 */
export function parseKeyRing(stored: string): KeyRing {
  const text = stored.trim();
  if (!text.startsWith("{")) {
    if (Buffer.byteLength(text) < MIN_KEY_BYTES)
      throw new TokenError("token key must be at least 32 bytes");
    return { current: text };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenError("token key ring is not valid JSON");
  }
  const ring = RingJson().safeParse(json);
  if (!ring.success) {
    const issue = ring.error.issues[0];
    throw new TokenError(`token key ring: ${issue?.path.join(".") || "value"}: ${issue?.message}`);
  }
  const { current, previous, rotatedAt, graceDays = DEFAULT_KEY_GRACE_DAYS } = ring.data;
  if (!previous) return { current };
  if (!rotatedAt) throw new TokenError("token key ring: rotatedAt is required with previous");
  return {
    current,
    previous: { key: previous, until: Date.parse(rotatedAt) + graceDays * DAY_MS },
  };
}

/**
 * HMAC-SHA256 (RFC 2104) of text under `key`, with the key's padded blocks made once: each MAC
 * is then two one-shot hashes, H(K^opad || H(K^ipad || text)), without building an HMAC object
 * and setting its key up again for every link or token. Gives exactly `createHmac`'s bytes (a
 * unit test compares them).
 */
function preparedHmac(key: string | Buffer) {
  let k = Buffer.from(key);
  if (k.length > 64) k = createHash("sha256").update(k).digest();
  const inner = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(64 + 32, 0x5c);
  for (let i = 0; i < k.length; i++) {
    inner[i] = (k[i] as number) ^ 0x36;
    outer[i] = (k[i] as number) ^ 0x5c;
  }
  // A pad of ASCII bytes can lead the text as a string, which the hash reads as UTF-8 unchanged.
  const innerText = inner.every((b) => b < 0x80) ? inner.toString("latin1") : undefined;
  return (text: string) => {
    const digest =
      innerText === undefined
        ? hash("sha256", Buffer.concat([inner, Buffer.from(text)]), "buffer")
        : hash("sha256", innerText + text, "buffer");
    // Synchronous, so the one buffer is never shared by two MACs at once.
    digest.copy(outer, 64);
    return outer;
  };
}

/**
 * HMAC-SHA256 of text under `key`, base64url: what signs every token.
 * @example hmacSigner(key)(payload) === createHmac("sha256", key).update(payload).digest("base64url")
 */
export function hmacSigner(key: string | Buffer): (text: string) => string {
  const padded = preparedHmac(key);
  return (text) => hash("sha256", padded(text), "base64url");
}

/** HMAC-SHA256 of text under `key`, as bytes: what a token's signature is checked against. */
export function hmacDigest(key: string | Buffer): (text: string) => Buffer {
  const padded = preparedHmac(key);
  return (text) => hash("sha256", padded(text), "buffer");
}

/**
 * Signs and verifies `<payload>.<signature>` tokens: base64url JSON naming the purpose, the
 * subscriber, their generation, the key and the expiry, then HMAC-SHA256, compared in constant
 * time. Format-v1 tokens (no key id, no generation) from emails sent earlier still verify
 * against the same keys; what they may still do is the routes' decision.
 * @example
 * const tokens = createTokens(parseKeyRing(process.env.TOKEN_KEY));
 * const t = tokens.sign({ purpose: "confirm", sid, generation, expiresAt: now + DAY });
 * tokens.verify(t, "confirm", now).sid;
 */
export function createTokens(keys: string | Buffer | KeyRing) {
  const ring: KeyRing =
    typeof keys === "string" || Buffer.isBuffer(keys) ? { current: keys } : keys;
  const all = [ring.current, ...(ring.previous ? [ring.previous.key] : [])];
  if (all.some((k) => Buffer.byteLength(k) < MIN_KEY_BYTES)) {
    throw new TokenError("token key must be at least 32 bytes");
  }
  const currentId = keyId(ring.current);
  const previousId = ring.previous && keyId(ring.previous.key);
  // Each key prepared once: setting a key up for every token cost as much as the HMAC itself.
  const prepared = new Map(all.map((k) => [k, hmacDigest(k)]));
  const mac = (key: string | Buffer, data: string) => (prepared.get(key) ?? hmacDigest(key))(data);
  const signCurrent = hmacSigner(ring.current);
  const same = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

  /** The key a v2 token names, if it may still be used at `now`. */
  function keyFor(id: unknown, now: number) {
    if (id === currentId) return ring.current;
    if (id !== previousId || !ring.previous) throw new UnknownKeyError("unknown key");
    if (now < ring.previous.until) return ring.previous.key;
    return undefined;
  }

  return {
    /** The id of the key that signs now. */
    keyId: currentId,

    sign(claims: SignClaims): string {
      const { purpose, sid, generation, emailId } = claims;
      const e = Math.floor(claims.expiresAt);
      // Every field is checked against what verify accepts, so the payload is plain ASCII and
      // needs no escaping: it is written as text in JSON.stringify's order and spelling (one
      // spelling per token; a unit test compares the bytes), which costs a fifth of building
      // an object and stringifying it, for every email sent.
      if (
        !SIGN_PURPOSES.has(purpose) ||
        !SID.test(sid) ||
        !Number.isSafeInteger(e) ||
        (generation !== undefined && !(Number.isSafeInteger(generation) && generation >= 0)) ||
        (emailId !== undefined && !EMAIL_ID.test(emailId))
      ) {
        throw new TokenError(
          "cannot sign: bad purpose, subscriber id, generation, email or expiry",
        );
      }
      let json = `{"v":2,"p":"${purpose}","k":"${currentId}","s":"${sid}","e":${e}`;
      if (generation !== undefined) json += `,"g":${generation}`;
      if (emailId !== undefined) json += `,"m":"${emailId}"`;
      const body = asciiBase64url(`${json}}`);
      return `${body}.${signCurrent(body)}`;
    },

    /**
     * Throws {@link TokenError} unless the token is intact, signed by a key still accepted,
     * unexpired and for one of `purposes`.
     */
    verify(token: string, purposes: Purpose | readonly Purpose[], nowMs: number): TokenClaims {
      if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) {
        throw new TokenError("malformed token");
      }
      const parts = token.split(".");
      if (parts.length !== 2 || !parts[0] || !parts[1]) throw new TokenError("malformed token");
      const [body, sig] = parts as [string, string];
      // One spelling per token: Buffer would also accept padding, stray characters and
      // unused low bits in the last character.
      if (!SIGNATURE.test(sig)) throw new TokenError("bad signature");
      const given = Buffer.from(sig, "base64url");
      let raw: unknown;
      try {
        raw = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      } catch {
        throw new TokenError("malformed payload");
      }
      let claims: TokenClaims;
      if (raw !== null && typeof raw === "object" && (raw as { v?: unknown }).v === 2) {
        // The key id is read before the signature is checked only to pick the key; nothing
        // else in the payload is trusted until the signature holds.
        const key = keyFor((raw as { k?: unknown }).k, nowMs);
        if (!key) throw new TokenError("retired key");
        if (!same(given, mac(key, body))) throw new TokenError("bad signature");
        const v2 = v2Claims(raw as Record<string, unknown>);
        if (!v2) throw new TokenError("malformed payload");
        claims = v2;
      } else {
        // v1: signed by the only key there was, which is the current or the previous key.
        const keysNow = [
          ring.current,
          ...(ring.previous && nowMs < ring.previous.until ? [ring.previous.key] : []),
        ];
        if (!keysNow.map((k) => same(given, mac(k, body))).includes(true)) {
          throw new TokenError("bad signature");
        }
        const parsed = V1().safeParse(raw);
        if (!parsed.success) throw new TokenError("malformed payload");
        const p = parsed.data;
        claims = { version: 1, purpose: p.p, sid: p.s, link: p.l, expiresAt: p.e };
      }
      const wanted: readonly Purpose[] = typeof purposes === "string" ? [purposes] : purposes;
      if (!wanted.includes(claims.purpose)) throw new TokenError("wrong purpose");
      if (claims.expiresAt <= nowMs) throw new TokenError("expired");
      return claims;
    },
  };
}

/**
 * Signs and verifies links. `refresh`, where there is one, reads the keys again: a token
 * naming a key this instance does not know may be signed with a key rotated in since.
 */
export type Tokens = ReturnType<typeof createTokens> & { refresh?(): Promise<boolean> };

/**
 * Tokens from a stored key (or key ring, see {@link parseKeyRing}) that follow a rotation
 * without a restart: {@link Tokens.refresh} reads the stored value again with `reread`, at most
 * once per `minGapMs` (a token naming an unknown key may be a forgery: it must not cost a read
 * each), and, when it changed, signs and verifies with the new ring from then on. Answers
 * whether the keys changed; a failed read changes nothing and answers false.
 * @example const tokens = followKeys(stored, () => readKeys(...).then((k) => k.tokenKey), clock);
 */
export function followKeys(
  stored: string,
  reread: () => Promise<string>,
  clock: { now(): number },
  minGapMs = 60_000,
): Tokens {
  let known = stored;
  let inner = createTokens(parseKeyRing(stored));
  let lastRead = Number.NEGATIVE_INFINITY;
  let pending: Promise<boolean> | undefined;
  const read = async () => {
    const next = await reread();
    if (next === known) return false;
    inner = createTokens(parseKeyRing(next));
    known = next;
    return true;
  };
  return {
    get keyId() {
      return inner.keyId;
    },
    sign: (claims) => inner.sign(claims),
    verify: (token, purposes, nowMs) => inner.verify(token, purposes, nowMs),
    refresh() {
      if (pending) return pending;
      const now = clock.now();
      if (now - lastRead < minGapMs) return Promise.resolve(false);
      lastRead = now;
      pending = read()
        .catch(() => false)
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}

/**
 * Verifies `token`; when it names a key this instance does not know, reads the keys again
 * (where `tokens` can) and verifies once more. Throws {@link TokenError} as `verify` does.
 * @example const claims = await verifyFollowing(deps.tokens, token, "confirm", now);
 */
export async function verifyFollowing(
  tokens: Tokens,
  token: string,
  purposes: Purpose | readonly Purpose[],
  nowMs: number,
): Promise<TokenClaims> {
  try {
    return tokens.verify(token, purposes, nowMs);
  } catch (e) {
    if (!(e instanceof UnknownKeyError) || !(await tokens.refresh?.())) throw e;
    return tokens.verify(token, purposes, nowMs);
  }
}

/**
 * The subscriber id: a keyed hash of the normalised address, so one address maps to one item
 * and links carry an opaque id, never the address. The key must never rotate.
 */
export function subscriberId(idKey: string | Buffer, normalisedEmail: string): string {
  return keyedHash(idKey, normalisedEmail).subarray(0, 16).toString("base64url");
}

let lastKey: { key: string | Buffer; mac: (text: string) => Buffer } | undefined;

/**
 * HMAC-SHA256 of `text` under the id key, the one key a process hashes ids, mailboxes and
 * clients under: the key's pads are made once and kept (building an HMAC object for each
 * signup cost more than the hash). Exactly `createHmac("sha256", key).update(text).digest()`.
 * @example keyedHash(idKey, "mailbox:ana@example.com").toString("base64url").slice(0, 22)
 */
export function keyedHash(key: string | Buffer, text: string): Buffer {
  if (lastKey?.key !== key) lastKey = { key, mac: hmacDigest(key) };
  return lastKey.mac(text);
}

/** Shard of the due index for a subscriber id (spreads writes over `shards` partitions). */
export function dueShard(sid: string, shards: number): string {
  const buf = Buffer.from(sid, "base64url");
  return String((buf[0] ?? 0) % shards);
}

import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { TokenError } from "./errors";

export const PURPOSES = ["confirm", "unsubscribe", "click", "manage", "stamp"] as const;
export type Purpose = (typeof PURPOSES)[number];

const PayloadSchema = z.strictObject({
  p: z.enum(PURPOSES),
  s: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  l: z
    .string()
    .regex(/^[a-z0-9:-]{1,64}$/)
    .optional(),
  e: z.number().int().positive(),
});

/** What a token says once its signature and expiry are checked. */
export interface TokenClaims {
  purpose: Purpose;
  /** Subscriber id (or, for form stamps, a random nonce). */
  sid: string;
  /** Link id for click tokens ("masterclass", "lesson-2:guide", ...). */
  link?: string;
  /** Expiry, epoch milliseconds (kept to the millisecond in the token). */
  expiresAt: number;
}

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString("base64url");
const MAX_TOKEN_LENGTH = 512;
const SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * Signs and verifies `<payload>.<signature>` tokens (HMAC-SHA256, base64url).
 * @example
 * const t = createTokens(key).sign({ purpose: "confirm", sid, expiresAt: now + DAY });
 * createTokens(key).verify(t, "confirm", now).sid;
 */
export function createTokens(key: string | Buffer) {
  if (Buffer.byteLength(key) < 32) throw new TokenError("token key must be at least 32 bytes");
  const mac = (data: string) => createHmac("sha256", key).update(data).digest();

  return {
    sign(claims: TokenClaims): string {
      const payload: z.infer<typeof PayloadSchema> = {
        p: claims.purpose,
        s: claims.sid,
        e: Math.floor(claims.expiresAt),
      };
      if (claims.link !== undefined) payload.l = claims.link;
      const body = b64(JSON.stringify(PayloadSchema.parse(payload)));
      return `${body}.${b64(mac(body))}`;
    },

    /** Throws {@link TokenError} unless the token is intact, unexpired and for `purpose`. */
    verify(token: string, purpose: Purpose, nowMs: number): TokenClaims {
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
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new TokenError("bad signature");
      }
      let parsed: z.infer<typeof PayloadSchema>;
      try {
        parsed = PayloadSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
      } catch {
        throw new TokenError("malformed payload");
      }
      if (parsed.p !== purpose) throw new TokenError("wrong purpose");
      if (parsed.e <= nowMs) throw new TokenError("expired");
      return { purpose: parsed.p, sid: parsed.s, link: parsed.l, expiresAt: parsed.e };
    },
  };
}

export type Tokens = ReturnType<typeof createTokens>;

/**
 * The subscriber id: a keyed hash of the normalised address, so one address maps to one item
 * and links carry an opaque id, never the address. The key must never rotate.
 */
export function subscriberId(idKey: string | Buffer, normalisedEmail: string): string {
  return createHmac("sha256", idKey)
    .update(normalisedEmail)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

/** Shard of the due index for a subscriber id (spreads writes over `shards` partitions). */
export function dueShard(sid: string, shards: number): string {
  const buf = Buffer.from(sid, "base64url");
  return String((buf[0] ?? 0) % shards);
}

import { TokenError } from "./errors";
import { parseKeyRing } from "./tokens";

/**
 * What the keys secret says it is. The stack reads this field when it deploys (a
 * CloudFormation dynamic reference): a stack whose keys secret is missing, or holds something
 * else, does not deploy, so no function ever starts on keys that are not the deployment's own.
 */
export const KEYS_LAYOUT = "healthy-hips-keys-1";

/** Keys are HMAC keys: 64 characters are made; fewer than 32 bytes is a mistake. */
const MIN_KEY_BYTES = 32;

/** The two keys as the functions use them. */
export interface Keys {
  /** The link-signing key as stored: a plain key, or a key ring in JSON (see parseKeyRing). */
  tokenKey: string;
  /** The key of the subscriber-id hash of an address. Never rotated. */
  idKey: string;
}

const record = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads the keys secret: `{"layout": KEYS_LAYOUT, "tokenKey": <plain key or key ring>,
 * "idKey": <key>}`, where the key ring is the JSON object `parseKeyRing` reads. Throws
 * {@link TokenError} naming what is wrong, never a key.
 * @example parseKeys('{"layout":"healthy-hips-keys-1","tokenKey":"…","idKey":"…"}').idKey
 */
export function parseKeys(stored: string): Keys {
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch {
    throw new TokenError("keys secret is not JSON");
  }
  if (!record(json)) throw new TokenError("keys secret is not a JSON object");
  const extra = Object.keys(json).filter((k) => !["layout", "tokenKey", "idKey"].includes(k));
  if (extra.length > 0) throw new TokenError(`keys secret: unknown field ${extra[0]}`);
  if (json.layout !== KEYS_LAYOUT) {
    throw new TokenError(`keys secret: layout is not ${KEYS_LAYOUT}`);
  }
  const { tokenKey, idKey } = json;
  if (typeof idKey !== "string" || Buffer.byteLength(idKey) < MIN_KEY_BYTES) {
    throw new TokenError("keys secret: idKey must be a key of at least 32 bytes");
  }
  const token =
    typeof tokenKey === "string" ? tokenKey : record(tokenKey) ? JSON.stringify(tokenKey) : "";
  if (!token) throw new TokenError("keys secret: tokenKey must be a key or a key ring");
  parseKeyRing(token); // throws naming the problem
  return { tokenKey: token, idKey };
}

/**
 * The keys secret's value for two keys: the token key as stored (a plain key, or a key ring's
 * JSON text, kept as an object) and the id key. Checks both as {@link parseKeys} does.
 */
export function formatKeys(keys: Keys): string {
  const token = keys.tokenKey.trim();
  parseKeyRing(token); // a TokenError before anything else reads it
  const text = JSON.stringify({
    layout: KEYS_LAYOUT,
    tokenKey: token.startsWith("{") ? JSON.parse(token) : token,
    idKey: keys.idKey,
  });
  parseKeys(text);
  return text;
}

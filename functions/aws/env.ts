import * as z from "zod/mini";
import { ConfigError } from "../core/errors";

const nonEmpty = () => z.string().check(z.minLength(1));

/**
 * Every environment variable a Lambda reads, with its schema. The CDK constructs set them by
 * these names (typed with {@link EnvName}), so a renamed variable fails type-checking. Each
 * schema is made when its variable is first read: a function builds only the ones it reads.
 */
export const LAMBDA_ENV = {
  TABLE_NAME: nonEmpty,
  QUEUE_URL: () => z.url(),
  /** The small queue of urgent jobs (owners' sign-in links, tests), drained ahead of the drip. */
  URGENT_QUEUE_URL: () => z.url(),
  /** The keys secret (link-signing key and id key): its name, made by `npm run keys`. */
  KEYS_SECRET_ID: nonEmpty,
  /** The keys secret's `layout` field, read by CloudFormation at deploy (see Keys). */
  KEYS_LAYOUT: nonEmpty,
  /** The value CloudFront adds to every request to the API (web only). */
  ORIGIN_SECRET_ARN: nonEmpty,
  SENDER_EMAIL: () => z.email(),
  SENDER_NAME: nonEmpty,
  REPLY_TO: () => z.optional(z.email()),
  CONFIGURATION_SET: nonEmpty,
  SITE_URL: () => z.url(),
  /** How many senders share the account's SES send rate. */
  // A pipe rather than z.coerce, which brings five schemas into every bundle.
  SES_SENDERS: () => z.pipe(z.string().check(z.regex(/^[1-9]\d{0,3}$/)), z.transform(Number)),
  /** The send queue's dead-letter queue, whose depth the owner's dashboard shows. */
  DEAD_LETTER_QUEUE_URL: () => z.url(),
  /** `sequence.paused` from funnel.yaml, for the dispatcher (which carries no content). */
  SEQUENCE_PAUSED: () => z.optional(z.enum(["true", "false"])),
} as const;

export type EnvName = keyof typeof LAMBDA_ENV;

/** The header CloudFront's viewer-request function sets to the client's address. */
export const VIEWER_IP_HEADER = "x-viewer-ip";
/** The origin custom header in which CloudFront sends the origin secret to the API. */
export const ORIGIN_SECRET_HEADER = "x-origin-verify";
export type EnvOf<K extends EnvName> = {
  [P in K]: z.infer<ReturnType<(typeof LAMBDA_ENV)[P]>>;
};

const schemas = new Map<EnvName, ReturnType<(typeof LAMBDA_ENV)[EnvName]>>();
const schemaOf = (name: EnvName) => {
  let schema = schemas.get(name);
  if (!schema) {
    schema = LAMBDA_ENV[name]();
    schemas.set(name, schema);
  }
  return schema;
};

/**
 * Reads and validates the named variables once (call it at module load). A missing or invalid
 * variable throws {@link ConfigError} naming it; values are never echoed.
 * @example const env = readEnv(["TABLE_NAME", "QUEUE_URL"]); env.TABLE_NAME;
 */
export function readEnv<K extends EnvName>(
  names: readonly K[],
  env: Record<string, string | undefined> = process.env,
): EnvOf<K> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const raw = env[name] === "" ? undefined : env[name];
    const result = schemaOf(name).safeParse(raw);
    if (!result.success) {
      throw new ConfigError(
        raw === undefined
          ? `missing environment variable ${name}`
          : `environment variable ${name} is invalid: ${result.error.issues[0]?.message ?? "bad value"}`,
      );
    }
    out[name] = result.data;
  }
  return out as EnvOf<K>;
}

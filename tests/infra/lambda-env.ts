import type { EnvName } from "../../functions/aws/env";
import { formatKeys, KEYS_LAYOUT } from "../../functions/core/keys-document";

/** The SDK's access key pair for the local emulators (any value works; one must be set). */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface LambdaEnvOptions {
  /** The stand-in for SQS and Secrets Manager (tests/infra/aws-standin.ts). */
  aws: string;
  /** dynalite's endpoint and the table in it. */
  dynamodb: string;
  table: string;
  /** The SES emulator (or the stand-in, which throttles every send). */
  ses: string;
  /** The keys secret's name and the origin secret's ARN, as the stand-in holds them. */
  secrets: { keys: string; origin: string };
  siteUrl: string;
  sender: { email: string; name: string; replyTo?: string };
  /** How many senders share the SES rate (the stack's SES_SENDERS). */
  sesSenders?: number;
  configurationSet?: string;
}

/**
 * The environment a Lambda bundle runs with, as the stack sets it, pointed at the local
 * emulators: the AWS SDK's region, credentials and endpoints, and every variable a handler
 * reads (functions/aws/env.ts). Typed by their names, so a variable added there and missing
 * here fails type-checking. Add the host's own (PATH, ...) where a process needs them.
 * @example new Worker(host, { env: { PATH: process.env.PATH, ...lambdaEnv(opts) } })
 */
export function lambdaEnv(o: LambdaEnvOptions): Record<string, string | undefined> {
  const queueUrl = sendQueueUrl(o.aws);
  const functionEnv: Record<EnvName, string | undefined> = {
    TABLE_NAME: o.table,
    QUEUE_URL: queueUrl,
    URGENT_QUEUE_URL: `${queueUrl}-urgent`,
    DEAD_LETTER_QUEUE_URL: `${queueUrl}-dlq`,
    SEQUENCE_PAUSED: "false",
    KEYS_SECRET_ID: o.secrets.keys,
    KEYS_LAYOUT,
    ORIGIN_SECRET_ARN: o.secrets.origin,
    SENDER_EMAIL: o.sender.email,
    SENDER_NAME: o.sender.name,
    REPLY_TO: o.sender.replyTo,
    CONFIGURATION_SET: o.configurationSet ?? "hh-test",
    SITE_URL: o.siteUrl,
    SES_SENDERS: String(o.sesSenders ?? 3),
  };
  return {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // Every AWS call goes to 127.0.0.1: the emulators, or the stand-in for SQS and secrets.
    AWS_ENDPOINT_URL: o.aws,
    AWS_ENDPOINT_URL_DYNAMODB: o.dynamodb,
    AWS_ENDPOINT_URL_SESV2: o.ses,
    AWS_ENDPOINT_URL_SQS: o.aws,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: o.aws,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    LOG_LEVEL: "ERROR",
    ...functionEnv,
  };
}

/** The send queue's URL in {@link lambdaEnv}'s environment (what the stand-in records by). */
export const sendQueueUrl = (aws: string) => `${aws}/123456789012/HealthyHips-SendQueue`;

/** The keys secret's name in tests, as the stack names a stage's (infra/aws/config.ts). */
export const TEST_KEYS_SECRET = "HealthyHips-test/keys";

/** The keys secret's value for two keys, as `npm run keys` writes it. */
export const keysSecret = (tokenKey: string, idKey: string): string =>
  formatKeys({ tokenKey, idKey });

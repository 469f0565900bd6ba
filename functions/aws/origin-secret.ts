import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Clock, Logger } from "../core/ports";
import { SecretError } from "./errors";

/**
 * How long an instance trusts the origin secret it read before reading it again. A rotation
 * (ops/rotate-origin-secret.ts) waits this long, plus a margin, between storing the new value
 * and telling CloudFront to send it, so every warm instance knows it by then.
 */
export const ORIGIN_SECRET_REFRESH_MS = 5 * 60_000;
/** After a failed re-read, the next try. The values already read stay accepted meanwhile. */
const RETRY_MS = 30_000;
/** The generated value is 64 characters; fewer than 32 is a mistake. */
const MIN_LENGTH = 32;

type Secrets = Pick<SecretsManagerClient, "send">;

async function readStage(
  client: Secrets,
  secretId: string,
  stage: "AWSCURRENT" | "AWSPREVIOUS",
): Promise<string | undefined> {
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }),
    );
    return out.SecretString;
  } catch (e) {
    // Before the first rotation there is no previous version.
    if (stage === "AWSPREVIOUS" && (e as Error).name === "ResourceNotFoundException") {
      return undefined;
    }
    throw e;
  }
}

/** The current and (if any) previous value, both checked for length. */
async function readBoth(client: Secrets, secretId: string): Promise<string[]> {
  const [current, previous] = await Promise.all([
    readStage(client, secretId, "AWSCURRENT"),
    readStage(client, secretId, "AWSPREVIOUS"),
  ]);
  if (!current || current.length < MIN_LENGTH) {
    throw new SecretError("the origin secret is not a value of at least 32 characters");
  }
  return previous && previous.length >= MIN_LENGTH ? [current, previous] : [current];
}

/**
 * The origin secret's accepted values (Secrets Manager's AWSCURRENT, then AWSPREVIOUS during
 * a rotation), read once at cold start (a failure there fails the start) and again every
 * {@link ORIGIN_SECRET_REFRESH_MS}. A failed re-read keeps the values already known.
 * @example const secrets = await originSecrets(secretsClient(), arn, clock, logger); await secrets();
 */
export async function originSecrets(
  client: Secrets,
  secretId: string,
  clock: Clock,
  logger: Logger,
): Promise<() => Promise<readonly string[]>> {
  let values = await readBoth(client, secretId);
  let nextRead = clock.now() + ORIGIN_SECRET_REFRESH_MS;
  let reading: Promise<void> | undefined;
  const refresh = async () => {
    try {
      values = await readBoth(client, secretId);
      nextRead = clock.now() + ORIGIN_SECRET_REFRESH_MS;
    } catch (e) {
      logger.warn("origin secret not re-read; the known values stay accepted", {
        name: (e as Error).name,
      });
      nextRead = clock.now() + RETRY_MS;
    } finally {
      reading = undefined;
    }
  };
  return async () => {
    if (clock.now() >= nextRead) {
      reading ??= refresh();
      await reading;
    }
    return values;
  };
}

/**
 * Warns at most once per `everyMs` that CloudFront still sends the previous value: a rotation
 * is under way, or was left half done (the next one would then lock CloudFront out).
 */
export function previousValueWarning(clock: Clock, logger: Logger, everyMs = 10 * 60_000) {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = clock.now();
    if (now - last < everyMs) return;
    last = now;
    logger.warn(
      "a request carried the previous origin secret: finish the rotation (npm run rotate-origin-secret)",
    );
  };
}

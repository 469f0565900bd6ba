import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { once } from "./clients";
import { readEnv } from "./env";
import { SecretError } from "./errors";

/** The Secrets Manager client of this instance (see ./clients.ts). */
export const secretsClient = once(() => new SecretsManagerClient({}));

/** Keys are HMAC keys: the stack generates 64 characters; fewer than 32 is a mistake. */
const MIN_KEY_LENGTH = 32;

/**
 * Reads one key from Secrets Manager. Call it once per cold start (at module load) and keep
 * the value: keys never change while an instance lives.
 * @example const tokenKey = await readKey(secretsClient(), env.TOKEN_KEY_SECRET_ARN);
 */
export async function readKey(
  client: Pick<SecretsManagerClient, "send">,
  secretId: string,
): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = out.SecretString;
  if (!value || value.length < MIN_KEY_LENGTH) {
    throw new SecretError(
      `secret ${out.Name ?? "(unnamed)"} is not a key of at least 32 characters`,
    );
  }
  return value;
}

/** The link-signing key, read once per cold start by the caller. */
export function tokenKey(): Promise<string> {
  return readKey(secretsClient(), readEnv(["TOKEN_KEY_SECRET_ARN"]).TOKEN_KEY_SECRET_ARN);
}

/** The subscriber-id key, read once per cold start by the caller. */
export function idKey(): Promise<string> {
  return readKey(secretsClient(), readEnv(["ID_KEY_SECRET_ARN"]).ID_KEY_SECRET_ARN);
}

import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretError } from "./errors";

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

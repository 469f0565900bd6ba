import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { KEYS_LAYOUT, type Keys, parseKeys } from "../core/keys-document";
import { lambdaClientConfig, once } from "./clients";
import { readEnv } from "./env";
import { SecretError } from "./errors";

/** The Secrets Manager client of this instance (see ./clients.ts). */
export const secretsClient = once(() => new SecretsManagerClient(lambdaClientConfig()));

/**
 * Reads the keys secret (functions/core/keys-document.ts) and checks that it is the layout
 * the stack deployed against (`expectedLayout`, which CloudFormation read from the same secret).
 * Call it once per cold start and keep the value: keys never change while an instance lives.
 * @example const keys = await readKeys(secretsClient(), env.KEYS_SECRET_ID, env.KEYS_LAYOUT);
 */
export async function readKeys(
  client: Pick<SecretsManagerClient, "send">,
  secretId: string,
  expectedLayout: string,
): Promise<Keys> {
  if (expectedLayout !== KEYS_LAYOUT) {
    throw new SecretError(`the stack deployed keys layout ${expectedLayout}, not ${KEYS_LAYOUT}`);
  }
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  try {
    return parseKeys(out.SecretString ?? "");
  } catch (e) {
    throw new SecretError(`secret ${out.Name ?? "(unnamed)"}: ${(e as Error).message}`);
  }
}

/** Both keys, read once per instance however many callers ask (one request at cold start). */
const keys = once(() => {
  const env = readEnv(["KEYS_SECRET_ID", "KEYS_LAYOUT"]);
  return readKeys(secretsClient(), env.KEYS_SECRET_ID, env.KEYS_LAYOUT);
});

/** The link-signing key as stored (a plain key or a key ring), read once per cold start. */
export async function tokenKey(): Promise<string> {
  return (await keys()).tokenKey;
}

/**
 * The link-signing key as stored now, read from the secret again (not the value read at cold
 * start): what an instance reads when a link names a key it does not know.
 */
export async function freshTokenKey(): Promise<string> {
  const env = readEnv(["KEYS_SECRET_ID", "KEYS_LAYOUT"]);
  return (await readKeys(secretsClient(), env.KEYS_SECRET_ID, env.KEYS_LAYOUT)).tokenKey;
}

/** The subscriber-id key, read once per cold start. */
export async function idKey(): Promise<string> {
  return (await keys()).idKey;
}

import { randomBytes } from "node:crypto";
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from "@aws-sdk/client-cloudformation";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { formatKeys, type Keys, parseKeys } from "../../functions/core/keys-document";
import { parseKeyRing } from "../../functions/core/tokens";

/** Something stands in the way of keeping the deployment's keys; nothing was changed. */
export class KeysError extends Error {
  override name = "KeysError";
}

export interface KeysDeps {
  secrets: Pick<SecretsManagerClient, "send">;
  cloudformation: Pick<CloudFormationClient, "send">;
  /** The stage's stack, and the keys secret it reads (infra/aws/config.ts). */
  stackName: string;
  secretName: string;
  /** One line for the operator (never a key). */
  say(line: string): void;
  /** A fresh key; default 48 random bytes, base64url (64 characters). */
  newKey?: () => string;
}

/**
 * What was done: a new stage got fresh keys, an older stack's two key secrets were copied into
 * the keys secret, or the keys secret was already there (and matches the older secrets, if
 * the stack still has them).
 */
export type KeysResult = "created" | "copied" | "present";

/**
 * The two key secrets of a stack deployed before the keys secret existed, by the logical ids
 * CDK gave the Keys construct's `TokenKey` and `IdKey` (derived from those paths alone, so the
 * same in every stage's stack).
 */
export const LEGACY_KEY_IDS = { tokenKey: "KeysTokenKey76CF97D7", idKey: "KeysIdKey74E80E45" };

const notFound = (e: unknown) => (e as Error).name === "ResourceNotFoundException";

async function secretValue(deps: KeysDeps, id: string): Promise<string | undefined> {
  try {
    const out = await deps.secrets.send(new GetSecretValueCommand({ SecretId: id }));
    return out.SecretString;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/**
 * The stack as it stands: absent (or a first deploy that never finished, which used no key),
 * or deployed, with the ARNs of its older key secrets if it still has them.
 */
async function deployed(deps: KeysDeps) {
  let status: string | undefined;
  try {
    const out = await deps.cloudformation.send(
      new DescribeStacksCommand({ StackName: deps.stackName }),
    );
    status = out.Stacks?.[0]?.StackStatus;
  } catch (e) {
    if (/does not exist/.test((e as Error).message)) return undefined;
    throw e;
  }
  // A first create that rolled back, or a change set never run, left nothing that used a key.
  if (!status || status === "ROLLBACK_COMPLETE" || status === "REVIEW_IN_PROGRESS") {
    return undefined;
  }
  const legacy: Partial<Record<keyof typeof LEGACY_KEY_IDS, string>> = {};
  let token: string | undefined;
  do {
    const page = await deps.cloudformation.send(
      new ListStackResourcesCommand({ StackName: deps.stackName, NextToken: token }),
    );
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.ResourceType !== "AWS::SecretsManager::Secret" || !r.PhysicalResourceId) continue;
      for (const [key, logicalId] of Object.entries(LEGACY_KEY_IDS)) {
        if (r.LogicalResourceId === logicalId) {
          legacy[key as keyof typeof LEGACY_KEY_IDS] = r.PhysicalResourceId;
        }
      }
    }
    token = page.NextToken;
  } while (token);
  return { status, legacy };
}

/** The older stack's two keys, checked as the functions would read them. */
async function legacyKeys(deps: KeysDeps, arns: { tokenKey: string; idKey: string }) {
  const [tokenKey, idKey] = await Promise.all([
    secretValue(deps, arns.tokenKey),
    secretValue(deps, arns.idKey),
  ]);
  if (!tokenKey || !idKey) {
    throw new KeysError(
      `the stack's ${tokenKey ? "IdKey" : "TokenKey"} secret has no value; nothing changed`,
    );
  }
  try {
    parseKeyRing(tokenKey);
    formatKeys({ tokenKey, idKey });
  } catch (e) {
    throw new KeysError(`the stack's key secrets: ${(e as Error).message}; nothing changed`);
  }
  return { tokenKey, idKey };
}

const same = (a: Keys, b: Keys) =>
  parseKeys(formatKeys(a)).tokenKey === parseKeys(formatKeys(b)).tokenKey && a.idKey === b.idKey;

/**
 * Makes sure the stage's keys secret exists and holds the deployment's own keys, before a
 * deploy of the stack that reads it. A new stage (no stack yet) gets two fresh keys. A stack
 * deployed before holds its keys in two secrets (`TokenKey`, `IdKey`): their values are copied,
 * unchanged, into the keys secret, and the two secrets are left as they are (the functions
 * still deployed keep reading them until the deploy replaces them). Refuses, changing nothing,
 * a deployed stack whose two key secrets cannot both be read (fresh keys would orphan every
 * subscriber id and break every link sent), and a keys secret that is malformed or differs
 * from the stack's key secrets. Safe to run again: the second run only checks.
 */
export async function setUpKeys(deps: KeysDeps): Promise<KeysResult> {
  const stack = await deployed(deps);
  const existing = await secretValue(deps, deps.secretName);
  const { tokenKey, idKey } = stack?.legacy ?? {};
  const legacy = tokenKey && idKey ? { tokenKey, idKey } : undefined;
  if (existing !== undefined) {
    let keys: Keys;
    try {
      keys = parseKeys(existing);
    } catch (e) {
      throw new KeysError(
        `${deps.secretName}: ${(e as Error).message}; nothing changed (restore its earlier version, or ask before deleting it: the id key must never change)`,
      );
    }
    if (legacy && !same(keys, await legacyKeys(deps, legacy))) {
      throw new KeysError(
        `${deps.secretName} differs from the TokenKey and IdKey secrets stack ${deps.stackName} still uses; nothing changed. Do not deploy: find out which holds this deployment's keys first`,
      );
    }
    deps.say(
      legacy
        ? `${deps.secretName} is there and holds the same keys as the stack's TokenKey and IdKey secrets.`
        : `${deps.secretName} is there.`,
    );
    return "present";
  }
  if (stack && !legacy) {
    throw new KeysError(
      `stack ${deps.stackName} is deployed but neither ${deps.secretName} nor both of its TokenKey and IdKey secrets are there; nothing changed. Fresh keys would orphan every subscriber id and break every link already sent: restore the secret (aws secretsmanager restore-secret) if it was deleted`,
    );
  }
  const keys = legacy
    ? await legacyKeys(deps, legacy)
    : { tokenKey: (deps.newKey ?? freshKey)(), idKey: (deps.newKey ?? freshKey)() };
  await deps.secrets.send(
    new CreateSecretCommand({
      Name: deps.secretName,
      Description: `Healthy Hips (${deps.stackName}): the link-signing key and the subscriber-id key (never change the id key)`,
      SecretString: formatKeys(keys),
    }),
  );
  const stored = await secretValue(deps, deps.secretName);
  if (!stored || !same(parseKeys(stored), keys)) {
    throw new KeysError(`${deps.secretName} does not read back as written; do not deploy`);
  }
  if (!legacy) {
    deps.say(`Made ${deps.secretName} with two fresh keys. Deploy the stack now.`);
    return "created";
  }
  deps.say(`Copied the keys of stack ${deps.stackName} into ${deps.secretName}, unchanged.`);
  deps.say(
    `Deploy the stack now. Afterwards it no longer uses these two secrets; each costs $0.40 a month until you delete it (30 days to change your mind):\n  aws secretsmanager delete-secret --recovery-window-in-days 30 --secret-id ${legacy.tokenKey}\n  aws secretsmanager delete-secret --recovery-window-in-days 30 --secret-id ${legacy.idKey}`,
  );
  return "copied";
}

/** A fresh key or secret value: 48 random bytes, base64url (64 characters). */
export const freshKey = () => randomBytes(48).toString("base64url");

import {
  type CloudFrontClient,
  type DistributionConfig,
  GetDistributionCommand,
  UpdateDistributionCommand,
} from "@aws-sdk/client-cloudfront";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ORIGIN_SECRET_HEADER } from "../../functions/aws/env";
import { ORIGIN_SECRET_REFRESH_MS } from "../../functions/aws/origin-secret";
import { freshKey } from "./keys-setup";

/** Something stands in the way of a safe rotation; the message says what to do. */
export class RotationError extends Error {
  override name = "RotationError";
}

export interface RotationDeps {
  secrets: Pick<SecretsManagerClient, "send">;
  cloudfront: Pick<CloudFrontClient, "send">;
  secretId: string;
  distributionId: string;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** One line of progress for the operator (never a secret value). */
  say(line: string): void;
  /** A fresh value; default 48 random bytes, base64url (64 characters). */
  newValue?: () => string;
  /** How long every warm web instance may keep the old values; default the app's refresh + 1 min. */
  settleMs?: number;
  /** How often to look at CloudFront's status, and for how long at most. */
  pollMs?: number;
  maxWaitMs?: number;
}

/** What the rotation did. */
export type RotationResult = "rotated" | "resumed";

const headerOf = (config: DistributionConfig | undefined) =>
  config?.Origins?.Items?.flatMap((o) => o.CustomHeaders?.Items ?? []).filter(
    (h) => h.HeaderName?.toLowerCase() === ORIGIN_SECRET_HEADER,
  ) ?? [];

async function distribution(deps: RotationDeps) {
  const out = await deps.cloudfront.send(new GetDistributionCommand({ Id: deps.distributionId }));
  const config = out.Distribution?.DistributionConfig;
  const headers = headerOf(config);
  if (!config || !out.ETag || headers.length === 0) {
    throw new RotationError(
      `distribution ${deps.distributionId} sends no ${ORIGIN_SECRET_HEADER} header: deploy the stack (npm run cdk deploy) first`,
    );
  }
  const sent = new Set(headers.map((h) => h.HeaderValue));
  return { config, etag: out.ETag, status: out.Distribution?.Status, sent };
}

async function current(deps: RotationDeps) {
  const out = await deps.secrets.send(
    new GetSecretValueCommand({ SecretId: deps.secretId, VersionStage: "AWSCURRENT" }),
  );
  if (!out.SecretString) throw new RotationError(`secret ${deps.secretId} has no value`);
  return { value: out.SecretString, created: out.CreatedDate?.getTime() ?? deps.now() };
}

/** Waits until CloudFront has deployed its last change everywhere. */
async function untilDeployed(deps: RotationDeps, why: string) {
  const poll = deps.pollMs ?? 20_000;
  const deadline = deps.now() + (deps.maxWaitMs ?? 30 * 60_000);
  let said = false;
  for (;;) {
    const { status } = await distribution(deps);
    if (status === "Deployed") return;
    if (deps.now() >= deadline) {
      throw new RotationError(
        `CloudFront is still deploying (${status}); run npm run rotate-origin-secret again later: it carries on from where it stopped`,
      );
    }
    if (!said) deps.say(why);
    said = true;
    await deps.sleep(poll);
  }
}

/**
 * Rotates the origin secret in the one order that never locks CloudFront out:
 * 1. store a new value in Secrets Manager (the old one becomes AWSPREVIOUS, still accepted);
 * 2. wait until every warm web instance has re-read it (the app's refresh period, plus a margin);
 * 3. point CloudFront's origin header at the new value, and wait until it is deployed
 *    (meanwhile its edges send either value; the app accepts both).
 * Run again after an interruption, it finishes the rotation under way instead of starting
 * another (which would drop the value some edges still send). No value is ever printed.
 * @example await rotateOriginSecret({ secrets, cloudfront, secretId, distributionId, ... });
 */
export async function rotateOriginSecret(deps: RotationDeps): Promise<RotationResult> {
  const settle = deps.settleMs ?? ORIGIN_SECRET_REFRESH_MS + 60_000;
  let secret = await current(deps);
  const before = await distribution(deps);
  let result: RotationResult = "resumed";
  if (before.sent.size === 1 && before.sent.has(secret.value)) {
    // Up to date: start a rotation, but only once no earlier change is still spreading.
    await untilDeployed(deps, "CloudFront is still deploying an earlier change; waiting…");
    await deps.secrets.send(
      new PutSecretValueCommand({
        SecretId: deps.secretId,
        SecretString: deps.newValue?.() ?? freshKey(),
      }),
    );
    secret = await current(deps);
    deps.say("Stored a new origin secret; the previous one stays accepted.");
    result = "rotated";
  } else {
    deps.say("CloudFront does not send the current value yet: finishing that rotation.");
  }
  const wait = secret.created + settle - deps.now();
  if (wait > 0) {
    deps.say(
      `Waiting ${Math.ceil(wait / 60_000)} min until every web instance knows the new value…`,
    );
    await deps.sleep(wait);
  }
  const latest = await distribution(deps);
  for (const origin of latest.config.Origins?.Items ?? []) {
    for (const h of origin.CustomHeaders?.Items ?? []) {
      if (h.HeaderName?.toLowerCase() === ORIGIN_SECRET_HEADER) h.HeaderValue = secret.value;
    }
  }
  await deps.cloudfront.send(
    new UpdateDistributionCommand({
      Id: deps.distributionId,
      IfMatch: latest.etag,
      DistributionConfig: latest.config,
    }),
  );
  deps.say("CloudFront now sends the new value; its edges take a few minutes to switch.");
  await untilDeployed(deps, "Waiting for CloudFront to finish deploying…");
  deps.say("Done: every request now carries the new value.");
  return result;
}

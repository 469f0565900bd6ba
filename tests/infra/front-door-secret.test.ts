import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ORIGIN_SECRET_REFRESH_MS, originSecrets } from "../../functions/aws/origin-secret";
import type { Logger } from "../../functions/core/ports";
import { ManualClock } from "../../infra/local/clock";
import { type StandInSecret, startAwsStandIn } from "./aws-standin";

/**
 * How a warm web instance learns a rotated origin secret: through the real Secrets Manager
 * client, against the stand-in (which answers GetSecretValue by version stage).
 */

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hh-origin-AbCdEf";
const A = "a".repeat(64);
const B = "b".repeat(64);
let aws: Awaited<ReturnType<typeof startAwsStandIn>>;
let client: SecretsManagerClient;
const secrets: Record<string, StandInSecret> = {};
const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m) => warnings.push(m), error() {} };

beforeAll(async () => {
  aws = await startAwsStandIn(secrets);
  client = new SecretsManagerClient({
    endpoint: aws.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await aws?.close();
});

const reads = () => aws.calls.filter((c) => c === "secretsmanager.GetSecretValue").length;

describe("the origin secret in a warm instance", () => {
  it("before any rotation: the current value alone", async () => {
    secrets[ARN] = { AWSCURRENT: A };
    const accepted = await originSecrets(client, ARN, new ManualClock(), logger);
    expect(await accepted()).toEqual([A]);
  });

  it("is read again after the refresh period, not before; then current and previous", async () => {
    secrets[ARN] = { AWSCURRENT: A };
    const clock = new ManualClock();
    const accepted = await originSecrets(client, ARN, clock, logger);
    secrets[ARN] = { AWSCURRENT: B, AWSPREVIOUS: A };
    const before = reads();
    clock.advance(ORIGIN_SECRET_REFRESH_MS - 1);
    expect(await accepted()).toEqual([A]);
    expect(reads()).toBe(before);
    clock.advance(1);
    // Concurrent requests share one read.
    const [first, second] = await Promise.all([accepted(), accepted()]);
    expect(first).toEqual([B, A]);
    expect(second).toEqual([B, A]);
    expect(reads()).toBe(before + 2);
  });

  it("keeps the known values when a re-read fails, and tries again soon", async () => {
    secrets[ARN] = { AWSCURRENT: A };
    const clock = new ManualClock();
    const accepted = await originSecrets(client, ARN, clock, logger);
    delete secrets[ARN];
    clock.advance(ORIGIN_SECRET_REFRESH_MS);
    expect(await accepted()).toEqual([A]);
    expect(warnings.at(-1)).toMatch(/not re-read/);
    secrets[ARN] = { AWSCURRENT: B, AWSPREVIOUS: A };
    clock.advance(30_000);
    expect(await accepted()).toEqual([B, A]);
  });

  it("a cold start without a readable secret, or with a short one, fails (never open)", async () => {
    delete secrets[ARN];
    await expect(originSecrets(client, ARN, new ManualClock(), logger)).rejects.toThrow();
    secrets[ARN] = { AWSCURRENT: "short" };
    await expect(originSecrets(client, ARN, new ManualClock(), logger)).rejects.toMatchObject({
      name: "SecretError",
    });
  });
});

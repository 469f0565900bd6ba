import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { checkKeys } from "../../ops/doctor/keys";
import { LEGACY_KEY_IDS } from "../../ops/lib/keys-setup";
import { answerWith, type Recorded, TEST_CREDENTIALS } from "./recorded";
import * as reply from "./replies";

const NAME = "HealthyHips-prod/keys";

function run(opts: {
  keys: Recorded;
  deployed: boolean;
  inStack?: string[];
  secrets?: Parameters<typeof reply.listSecrets>[0];
  stage?: string;
}) {
  const options = { region: reply.REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  const secrets = new SecretsManagerClient(options);
  const sm = answerWith(secrets, {
    DescribeSecretCommand: opts.keys,
    ListSecretsCommand: reply.listSecrets(opts.secrets ?? []),
  });
  const cloudFormation = new CloudFormationClient(options);
  const cfn = answerWith(cloudFormation, {
    ListStackResourcesCommand: reply.stackResources(opts.inStack ?? ["SubscribersTable"]),
  });
  const result = checkKeys(secrets, cloudFormation, {
    stage: opts.stage ?? "prod",
    deployed: opts.deployed,
  });
  return { result, calls: () => [...sm, ...cfn] };
}

const old = (stack: string) => [
  { name: `KeysTokenKey76CF97D7-${stack}`, stack, logicalId: LEGACY_KEY_IDS.tokenKey },
  { name: `KeysIdKey74E80E45-${stack}`, stack, logicalId: LEGACY_KEY_IDS.idKey },
];

describe("doctor: the keys secret", () => {
  it("missing before the first deploy: to watch, with the command that makes it", async () => {
    const { result } = run({ keys: reply.secretMissing(), deployed: false });
    expect(await result).toEqual([
      expect.objectContaining({ status: "warn", fix: expect.stringContaining("`npm run keys`") }),
    ]);
    const staging = run({ keys: reply.secretMissing(), deployed: false, stage: "staging" });
    expect((await staging.result)[0]?.fix).toContain("`HH_STAGE=staging npm run keys`");
  });

  it("missing under a deployed stack: a failure (the next deploy would fail)", async () => {
    const { result } = run({ keys: reply.secretMissing(), deployed: true });
    expect((await result)[0]).toMatchObject({
      status: "fail",
      title: `Keys secret ${NAME} does not exist`,
    });
  });

  it("scheduled for deletion: a failure that says to restore it", async () => {
    const { result } = run({ keys: reply.describeSecret(NAME, 1765000000), deployed: true });
    expect((await result)[0]).toMatchObject({
      status: "fail",
      fix: expect.stringContaining(`aws secretsmanager restore-secret --secret-id ${NAME}`),
    });
  });

  it("there, with the old key secrets still the stack's (this version not deployed yet): passes, and says nothing of deleting them", async () => {
    const { result, calls } = run({
      keys: reply.describeSecret(NAME),
      deployed: true,
      inStack: ["SubscribersTable", LEGACY_KEY_IDS.tokenKey, LEGACY_KEY_IDS.idKey],
      secrets: old("HealthyHips-prod"),
    });
    expect(await result).toEqual([{ status: "pass", title: `Keys secret ${NAME}` }]);
    expect(calls()).not.toContain("ListSecretsCommand");
  });

  it("there, after the upgrade: the stage's old key secrets, kept on delete, are named for deletion; another stage's are not", async () => {
    const { result } = run({
      keys: reply.describeSecret(NAME),
      deployed: true,
      secrets: [...old("HealthyHips-prod"), ...old("HealthyHips-staging")],
    });
    const [ok, unused] = await result;
    expect(ok).toEqual({ status: "pass", title: `Keys secret ${NAME}` });
    expect(unused).toMatchObject({
      status: "warn",
      title: expect.stringContaining("cost $0.80 a month"),
    });
    for (const s of old("HealthyHips-prod")) {
      expect(unused?.fix).toContain(
        `aws secretsmanager delete-secret --recovery-window-in-days 30 --secret-id ${reply.secretArn(s.name)}`,
      );
    }
    expect(unused?.fix).not.toContain("staging");
  });

  it("there, before the first deploy: passes without looking at the stack", async () => {
    const { result, calls } = run({ keys: reply.describeSecret(NAME), deployed: false });
    expect(await result).toEqual([{ status: "pass", title: `Keys secret ${NAME}` }]);
    expect(calls()).toEqual(["DescribeSecretCommand"]);
  });
});

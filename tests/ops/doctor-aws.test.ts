import { describe, expect, it } from "vitest";
import { checkAlarmSubscription } from "../../ops/doctor/alarms";
import { NoCredentialsError, whoAmI } from "../../ops/doctor/credentials";
import type { Finding } from "../../ops/doctor/finding";
import { checkIdentity, type IdentityContext } from "../../ops/doctor/identity";
import { checkSesRegion } from "../../ops/doctor/region";
import {
  checkAccount,
  checkConfigurationSet,
  checkSandboxRecipients,
} from "../../ops/doctor/sending";
import { checkBootstrap, checkStack } from "../../ops/doctor/stack";
import { clients } from "./clients";
import * as reply from "./replies";

const statuses = (findings: Finding[]) => findings.map((f) => `${f.status} ${f.title}`);
const ctx = { region: reply.REGION, stage: "prod" };
/** CloudFormation's answer for any stack name asked about. */
const noSuchStack = (input: unknown) =>
  reply.stackMissing((input as { StackName: string }).StackName);

describe("credentials (STS GetCallerIdentity)", () => {
  it("names the account and caller", async () => {
    const sts = clients.sts({ GetCallerIdentityCommand: reply.callerIdentity() });
    expect(await whoAmI(sts)).toEqual({
      account: reply.ACCOUNT,
      arn: `arn:aws:iam::${reply.ACCOUNT}:user/clara`,
    });
  });

  it("turns refused or expired credentials into one line", async () => {
    const refused = clients.sts({
      GetCallerIdentityCommand: reply.stsError(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      ),
    });
    await expect(whoAmI(refused)).rejects.toThrow(NoCredentialsError);
    await expect(whoAmI(refused)).rejects.toThrow(/^AWS refused these credentials .*aws configure/);
    const expired = clients.sts({
      GetCallerIdentityCommand: reply.stsError(
        "ExpiredToken",
        "The security token included in the request is expired",
      ),
    });
    await expect(whoAmI(expired)).rejects.toThrow(/session has expired: run `aws sso login`/);
  });
});

describe("SES region", () => {
  it("passes where SES is listed and answers", async () => {
    const ses = clients.ses({ GetAccountCommand: reply.account() });
    expect((await checkSesRegion(ses, reply.REGION)).status).toBe("pass");
  });

  it("fails a region without SES, before asking anything", async () => {
    const ses = clients.ses({});
    const f = await checkSesRegion(ses, "ap-east-1");
    expect(f).toMatchObject({ status: "fail", title: "SES is not offered in ap-east-1" });
    expect(f.fix).toContain("eu-west-1");
  });

  it("fails when the SES API does not answer these credentials", async () => {
    const ses = clients.ses({
      GetAccountCommand: {
        status: 403,
        body: JSON.stringify({ message: "User is not authorized to perform: ses:GetAccount" }),
        headers: { "x-amzn-errortype": "AccessDeniedException" },
      },
    });
    const f = await checkSesRegion(ses, reply.REGION);
    expect(f.status).toBe("fail");
    expect(f.fix).toContain("AmazonSESReadOnlyAccess");
  });
});

describe("stack (CloudFormation DescribeStacks)", () => {
  it("reads a deployed stack's status and outputs", async () => {
    const cfn = clients.cloudFormation({
      DescribeStacksCommand: reply.describeStacks("HealthyHips-prod"),
    });
    const state = await checkStack(cfn, "HealthyHips-prod", ctx);
    expect(state.deployed).toBe(true);
    expect(state.outputs).toEqual(reply.stackOutputs());
    expect(statuses(state.findings)).toEqual([
      "pass Stack HealthyHips-prod: UPDATE_COMPLETE (2026-12-01 17:40 UTC)",
    ]);
  });

  it("before a deploy: not deployed, with the command for this stage; CDK bootstrap checked", async () => {
    const cfn = clients.cloudFormation({ DescribeStacksCommand: noSuchStack });
    const state = await checkStack(cfn, "HealthyHips-staging", { ...ctx, stage: "staging" });
    expect(state).toMatchObject({ deployed: false, outputs: {} });
    expect(state.findings[0]).toMatchObject({
      status: "warn",
      fix: "Make its keys, then deploy it: `HH_STAGE=staging npm run keys`, then `HH_STAGE=staging npm run cdk deploy`.",
    });
    expect(await checkBootstrap(cfn, reply.REGION)).toMatchObject({
      status: "warn",
      fix: "Run `npm run cdk bootstrap` once for this account and region.",
    });
  });

  it("fails a stack whose first create rolled back, and says it must be deleted first", async () => {
    const cfn = clients.cloudFormation({
      DescribeStacksCommand: reply.describeStacks("HealthyHips-prod", "ROLLBACK_COMPLETE", {}),
    });
    const [f] = (await checkStack(cfn, "HealthyHips-prod", ctx)).findings;
    expect(f?.status).toBe("fail");
    expect(f?.fix).toContain("delete the stack");
  });
});

describe("SES identity (GetEmailIdentity)", () => {
  const deployed: IdentityContext = {
    domain: reply.DOMAIN,
    region: reply.REGION,
    useExistingIdentity: false,
    deployed: true,
  };
  const check = (answer: Parameters<typeof clients.ses>[0][string], c = deployed) =>
    checkIdentity(clients.ses({ GetEmailIdentityCommand: answer }), c);

  it("passes a verified identity with DKIM and MAIL FROM, and hands on the DKIM tokens", async () => {
    const state = await check(reply.emailIdentity());
    expect(statuses(state.findings)).toEqual([
      "pass SES identity hips.example is verified",
      "pass DKIM signing: SUCCESS",
      "pass Custom MAIL FROM mail.hips.example: SUCCESS",
    ]);
    expect(state.dkimTokens).toEqual(reply.DKIM_TOKENS);
    expect(state.mailFromDomain).toBe("mail.hips.example");
  });

  it("watches pending DKIM and fails DKIM that SES gave up on", async () => {
    const pending = await check(reply.emailIdentity({ verification: "PENDING", dkim: "PENDING" }));
    expect(pending.findings.slice(0, 2).map((f) => f.status)).toEqual(["warn", "warn"]);
    const failed = await check(reply.emailIdentity({ verification: "FAILED", dkim: "FAILED" }));
    expect(failed.findings.slice(0, 2).map((f) => f.status)).toEqual(["fail", "fail"]);
    const off = await check(reply.emailIdentity({ signing: false }));
    expect(off.findings[1]).toMatchObject({
      status: "fail",
      title: "DKIM records verified but signing is off",
    });
  });

  it("fails a MAIL FROM that failed, and warns when there is none", async () => {
    const failed = await check(reply.emailIdentity({ mailFromStatus: "FAILED" }));
    expect(failed.findings[2]?.status).toBe("fail");
    const none = await check(reply.emailIdentity({ mailFrom: null }));
    expect(none.findings[2]?.status).toBe("warn");
    expect(none.mailFromDomain).toBeUndefined();
  });

  it("an existing identity that is missing fails; one the deploy would collide with fails before deploy", async () => {
    const missing = reply.sesNotFound("Email identity hips.example does not exist.");
    const existingMissing = await check(missing, { ...deployed, useExistingIdentity: true });
    expect(existingMissing.findings[0]?.status).toBe("fail");
    expect(existingMissing.findings[0]?.fix).toContain("Create identity");
    const beforeDeploy = { ...deployed, deployed: false };
    expect((await check(missing, beforeDeploy)).findings[0]?.status).toBe("skip");
    const collision = await check(reply.emailIdentity(), beforeDeploy);
    expect(collision.findings[0]).toMatchObject({ status: "fail" });
    expect(collision.findings[0]?.fix).toContain('"useExistingIdentity": true');
    const reused = await check(reply.emailIdentity(), {
      ...beforeDeploy,
      useExistingIdentity: true,
    });
    expect(reused.findings.map((f) => f.status)).toEqual(["pass", "pass", "pass"]);
  });
});

describe("account (GetAccount)", () => {
  const check = (shape: reply.AccountShape) =>
    checkAccount(clients.ses({ GetAccountCommand: reply.account(shape) }), {
      region: reply.REGION,
    });

  it("passes production access, sending enabled, and shows the quota and rate", async () => {
    expect(statuses(await check({}))).toEqual([
      "pass Production access in eu-west-1: mail goes to any address",
      "pass Sending enabled",
      "pass Quota: 812 of 50,000 sent in the last 24 hours; max 14 per second",
    ]);
  });

  it("warns in the sandbox and near the quota; fails when sending is paused or shut down", async () => {
    const sandbox = await check({ production: false, max24: 200, sent24: 3, rate: 1 });
    expect(sandbox[0]?.status).toBe("warn");
    expect(sandbox[0]?.fix).toContain("Request production access");
    expect((await check({ sent24: 45000 })).at(-1)?.status).toBe("warn");
    expect((await check({ sendingEnabled: false }))[1]?.status).toBe("fail");
    expect(statuses(await check({ enforcement: "SHUTDOWN" }))).toContain(
      "fail Account reputation: SHUTDOWN",
    );
  });
});

describe("configuration set (GetConfigurationSet)", () => {
  const check = (answer: Parameters<typeof clients.ses>[0][string]) =>
    checkConfigurationSet(clients.ses({ GetConfigurationSetCommand: answer }), {
      region: reply.REGION,
      name: reply.CONFIGURATION_SET,
    });

  it("passes with bounces and complaints suppressed", async () => {
    expect((await check(reply.configurationSet())).status).toBe("pass");
  });

  it("fails without complaint suppression, when paused, or when gone", async () => {
    expect(await check(reply.configurationSet(["BOUNCE"]))).toMatchObject({
      status: "fail",
      title: `Configuration set ${reply.CONFIGURATION_SET} does not suppress complaints`,
    });
    expect((await check(reply.configurationSet(undefined, false))).status).toBe("fail");
    expect(
      (
        await check(
          reply.sesNotFound(`Configuration set <${reply.CONFIGURATION_SET}> does not exist.`),
        )
      ).title,
    ).toBe(`Configuration set ${reply.CONFIGURATION_SET} does not exist`);
  });
});

describe("alarm subscription (SNS ListSubscriptionsByTopic)", () => {
  const check = (subs: Parameters<typeof reply.subscriptions>[0]) =>
    checkAlarmSubscription(
      clients.sns({ ListSubscriptionsByTopicCommand: reply.subscriptions(subs) }),
      {
        region: reply.REGION,
        topicArn: reply.TOPIC_ARN,
        email: "alarms@hips.example",
      },
    );

  it("passes a confirmed email subscription", async () => {
    expect((await check([{ endpoint: "Alarms@hips.example" }])).status).toBe("pass");
  });

  it("fails while pending confirmation, and when only another address is subscribed", async () => {
    const pending = await check([{ endpoint: "alarms@hips.example", pending: true }]);
    expect(pending.status).toBe("fail");
    expect(pending.fix).toContain('"Confirm subscription"');
    expect((await check([{ endpoint: "someone@else.example" }])).status).toBe("fail");
  });
});

describe("sandbox test recipients (GetEmailIdentity of each address)", () => {
  const recipient = (verified: boolean) =>
    reply.emailIdentity({ verification: verified ? "SUCCESS" : "PENDING" });

  it("passes verified recipients, watches unverified ones, waits before the deploy", async () => {
    const byAddress = (input: unknown) =>
      recipient((input as { EmailIdentity: string }).EmailIdentity === "me@mail.example");
    const ses = clients.ses({ GetEmailIdentityCommand: byAddress });
    const recipients = ["me@mail.example", "friend@mail.example"];
    expect(statuses(await checkSandboxRecipients(ses, { recipients, deployed: true }))).toEqual([
      "pass Test recipient me@mail.example is verified",
      "warn Test recipient friend@mail.example is not verified yet (PENDING)",
    ]);
    const none = clients.ses({
      GetEmailIdentityCommand: reply.sesNotFound("Email identity me@mail.example does not exist."),
    });
    const before = await checkSandboxRecipients(none, { recipients, deployed: false });
    expect(before.map((f) => f.status)).toEqual(["skip", "skip"]);
    const lost = await checkSandboxRecipients(none, { recipients, deployed: true });
    expect(lost.map((f) => f.status)).toEqual(["fail", "fail"]);
    // Before this stage's deploy, an address another stage already verified would collide.
    const taken = await checkSandboxRecipients(ses, { recipients, deployed: false });
    expect(taken[0]?.status).toBe("fail");
    expect(taken[0]?.fix).toContain("one stage only");
  });
});

import { describe, expect, it } from "vitest";
import { cdkContext } from "../../infra/aws/bundles";
import { CONTEXT_KEY, DeployConfigError, readConfig } from "../../infra/aws/config";

const complete = {
  domain: "hips.example",
  senderEmail: "hello@hips.example",
  senderName: "Clara",
  alarmEmail: "alarms@hips.example",
};
const failure = (context: unknown, env: Record<string, string> = {}) => {
  try {
    readConfig(context, env);
  } catch (e) {
    expect(e).toBeInstanceOf(DeployConfigError);
    return (e as Error).message;
  }
  throw new Error("expected the configuration to be refused");
};

describe("deployment configuration", () => {
  it("names every missing value and where to set it", () => {
    const message = failure({ domain: "hips.example" });
    expect(message).toContain('missing value "senderEmail"');
    expect(message).toContain('missing value "senderName"');
    expect(message).toContain(
      'missing value "alarmEmail": set context "healthyHips.alarmEmail" (or "healthyHips.stages.prod.alarmEmail") in cdk.json, or HH_ALARM_EMAIL',
    );
    expect(message).not.toContain('"domain"');
  });

  it("takes an environment variable over cdk.json context", () => {
    const config = readConfig(complete, {
      HH_SENDER_NAME: "Clara W.",
      HH_ALARM_EMAIL: "ops@hips.example",
    });
    expect(config).toMatchObject({
      senderName: "Clara W.",
      alarmEmail: "ops@hips.example",
      domain: "hips.example",
    });
  });

  it("reads everything from the environment when cdk.json has nothing", () => {
    const config = readConfig(undefined, {
      HH_DOMAIN: "hips.example",
      HH_SENDER_EMAIL: "hello@hips.example",
      HH_SENDER_NAME: "Clara",
      HH_ALARM_EMAIL: "alarms@hips.example",
      HH_SANDBOX_RECIPIENTS: "me@mail.example, you@mail.example",
    });
    expect(config.sandboxRecipients).toEqual(["me@mail.example", "you@mail.example"]);
  });

  it("refuses a sender outside the SES domain", () => {
    expect(failure({ ...complete, senderEmail: "hello@elsewhere.example" })).toContain(
      'invalid value "senderEmail": must be an address at hips.example',
    );
  });

  it("refuses a site URL that is not https, or that has no us-east-1 certificate", () => {
    expect(failure({ ...complete, siteUrl: "http://hips.example" })).toContain(
      'invalid value "siteUrl": must start with https://',
    );
    expect(failure({ ...complete, siteUrl: "hips.example" })).toContain(
      'invalid value "siteUrl": an https:// URL like https://yoga.example.com',
    );
    expect(failure({ ...complete, siteUrl: "https://hips.example" })).toContain(
      'missing value "certificateArn"',
    );
    expect(
      failure({
        ...complete,
        siteUrl: "https://hips.example",
        certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
      }),
    ).toContain('invalid value "certificateArn": an ACM certificate ARN in us-east-1');
  });

  it("drops a trailing slash from the site URL, so links never get a double slash", () => {
    const config = readConfig(
      {
        ...complete,
        siteUrl: "https://yoga.hips.example/",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-1",
      },
      {},
    );
    expect(config.siteUrl).toBe("https://yoga.hips.example");
  });

  it("refuses a site URL with a path, query, port or credentials: links are built on its origin", () => {
    const cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc-1";
    for (const siteUrl of [
      "https://hips.example/course",
      "https://hips.example/course/",
      "https://hips.example/?ref=x",
      "https://hips.example/#top",
      "https://hips.example:8443",
      "https://me:pw@hips.example",
    ]) {
      expect(failure({ ...complete, siteUrl, certificateArn: cert }), siteUrl).toMatch(
        /invalid value "siteUrl": must (be an origin only|not)/,
      );
    }
    expect(
      failure({ ...complete, siteUrl: "https://hips.example/course", certificateArn: cert }),
    ).toContain("like https://hips.example");
  });

  it("refuses a region where SES is not offered: named in config, or the profile's", () => {
    expect(failure({ ...complete, region: "ap-east-1" })).toContain(
      'invalid value "region": SES is not offered in ap-east-1',
    );
    expect(failure(complete, { CDK_DEFAULT_REGION: "ap-east-1" })).toContain(
      "the deploy region ap-east-1 (from your AWS profile or environment) does not offer SES",
    );
    expect(readConfig(complete, { CDK_DEFAULT_REGION: "eu-west-1" }).region).toBeUndefined();
    expect(
      readConfig({ ...complete, region: "eu-west-1" }, { AWS_REGION: "ap-east-1" }).region,
    ).toBe("eu-west-1");
  });

  it("refuses an alarm, reply-to or test-recipient address that is not an email address (owners: content/funnel.yaml)", () => {
    expect(failure({ ...complete, alarmEmail: "alarms" })).toContain(
      'invalid value "alarmEmail": not an email address',
    );
    expect(failure({ ...complete, replyTo: "clara at hips" })).toContain(
      'invalid value "replyTo": not an email address',
    );
    expect(failure(complete, { HH_SANDBOX_RECIPIENTS: "me@mail.example, me" })).toContain(
      'invalid value "sandboxRecipients": not an email address',
    );
  });

  it("names the stage, `prod` by default, and takes a stage's own values over the shared ones", () => {
    expect(readConfig(complete, {}).stage).toBe("prod");
    const context = {
      ...complete,
      stages: { staging: { useExistingIdentity: true, senderName: "Clara (staging)" } },
    };
    expect(readConfig(context, {})).toMatchObject({ stage: "prod", useExistingIdentity: false });
    expect(readConfig(context, { HH_STAGE: "staging" })).toMatchObject({
      stage: "staging",
      useExistingIdentity: true,
      senderName: "Clara (staging)",
      domain: "hips.example",
    });
    expect(readConfig(complete, { HH_USE_EXISTING_IDENTITY: "true" }).useExistingIdentity).toBe(
      true,
    );
    expect(failure(complete, { HH_STAGE: "Prod_1" })).toContain('invalid value "stage"');
    expect(failure(complete, { HH_USE_EXISTING_IDENTITY: "maybe" })).toContain(
      'invalid value "useExistingIdentity"',
    );
  });

  it("cdk.json ships a complete configuration, so `npm run synth` works as cloned", () => {
    expect(() => readConfig(cdkContext()[CONTEXT_KEY], {})).not.toThrow();
  });
});

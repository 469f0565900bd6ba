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
      'missing value "alarmEmail": set context "healthyHips.alarmEmail" in cdk.json or HH_ALARM_EMAIL',
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
      'invalid value "siteUrl"',
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

  it("cdk.json ships a complete configuration, so `npm run synth` works as cloned", () => {
    expect(() => readConfig(cdkContext()[CONTEXT_KEY], {})).not.toThrow();
  });
});

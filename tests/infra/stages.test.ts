import "./setup";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { testStack } from "./app";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Properties that name something inside its parent resource, not in the account. */
const SCOPED = new Set([
  "AttributeName",
  "IndexName",
  "MetricName",
  "StageName",
  "PolicyName",
  "DisplayName",
  // An HTTP header CloudFront adds to origin requests (the origin secret's), not a resource.
  "HeaderName",
]);
/** Pseudo parameters are the same for two stacks in one account and region. */
const PSEUDO = /^AWS::/;

/** Whether a value is fixed before deploy (no resource reference, which CloudFormation names). */
function fixed(value: unknown): boolean {
  if (typeof value === "string") return true;
  if (Array.isArray(value)) return value.every(fixed);
  if (value && typeof value === "object") {
    const [[fn, arg]] = Object.entries(value) as [[string, unknown]];
    if (fn === "Ref") return PSEUDO.test(String(arg));
    if (fn === "Fn::GetAtt") return false;
    return fixed(arg);
  }
  return true;
}

/**
 * Every physical name the template fixes itself (a `...Name`, `Name`, `EmailIdentity` or
 * `Aliases` property without a resource reference), as `Type.path = value`.
 */
function fixedNames(template: Template): Map<string, string> {
  const names = new Map<string, string>();
  const walk = (v: unknown, type: string, path: string) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        walk(x, type, `${path}[${i}]`);
      });
      return;
    }
    if (!v || typeof v !== "object") return;
    for (const [key, value] of Object.entries(v)) {
      const naming = /Name$/.test(key) || key === "EmailIdentity" || key === "Aliases";
      if (naming && !SCOPED.has(key) && !(type === "AWS::ApiGatewayV2::Api" && key === "Name")) {
        if (fixed(value)) names.set(JSON.stringify(value), `${type}${path}.${key}`);
      }
      // A metric's dimensions name what it measures, not a resource.
      if (!naming && key !== "Dimensions") walk(value, type, `${path}.${key}`);
    }
  };
  for (const r of Object.values(template.toJSON().Resources as Resources)) {
    walk(r.Properties, r.Type, "");
  }
  return names;
}

/** Names both templates fix to the same value: two stacks holding them cannot coexist. */
function clashes(a: Template, b: Template): string[] {
  const theirs = fixedNames(b);
  return [...fixedNames(a)].filter(([v]) => theirs.has(v)).map(([v, where]) => `${where} ${v}`);
}

describe("stages", () => {
  let prod: ReturnType<typeof testStack>;
  let staging: ReturnType<typeof testStack>;
  beforeAll(() => {
    prod = testStack({ stage: "prod" });
    staging = testStack({ stage: "staging", useExistingIdentity: true });
  });

  it("each stage is its own stack", () => {
    expect(prod.stack.stackName).toBe("HealthyHips-prod");
    expect(staging.stack.stackName).toBe("HealthyHips-staging");
  });

  it("fix no account-wide name in common, so both deploy to one account and region", () => {
    // The check sees names: the CloudFront function and origin access control carry one.
    expect([...fixedNames(prod.template).values()]).toEqual(
      expect.arrayContaining([
        "AWS::CloudFront::Function.Name",
        "AWS::CloudFront::OriginAccessControl.OriginAccessControlConfig.Name",
        "AWS::SES::EmailIdentity.EmailIdentity",
      ]),
    );
    expect(clashes(prod.template, staging.template)).toEqual([]);
  });

  it("a stage pinned to a region (config `region`) synthesises for it", () => {
    const pinned = testStack({ stage: "eu", region: "eu-central-1" }, { region: "eu-central-1" });
    expect(pinned.stack.region).toBe("eu-central-1");
    pinned.template.hasResourceProperties("AWS::CloudFront::Function", {
      Name: Match.stringLikeRegexp("^eu-central-1HealthyHipseu"),
    });
  });

  it("two stages that both create the domain's identity clash: the second uses the existing one", () => {
    const second = testStack({ stage: "staging" });
    expect(clashes(prod.template, second.template)).toEqual([
      'AWS::SES::EmailIdentity.EmailIdentity "hips.example"',
    ]);
  });

  it("two stages on one site host clash: each needs its own siteUrl", () => {
    const site = {
      siteUrl: "https://yoga.hips.example",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-1",
    };
    const a = testStack({ stage: "prod", ...site });
    const b = testStack({ stage: "staging", useExistingIdentity: true, ...site });
    expect(clashes(a.template, b.template)).toEqual([
      'AWS::CloudFront::Distribution.DistributionConfig.Aliases ["yoga.hips.example"]',
    ]);
  });
});

describe("an existing SES identity", () => {
  let existing: ReturnType<typeof testStack>;
  beforeAll(() => {
    existing = testStack({ useExistingIdentity: true });
  });

  it("is not created, and nothing else changes hands", () => {
    existing.template.resourcePropertiesCountIs(
      "AWS::SES::EmailIdentity",
      { EmailIdentity: "hips.example" },
      0,
    );
    existing.template.resourceCountIs("AWS::SES::ConfigurationSet", 1);
  });

  it("the send workers may send as it, through the configuration set, and nothing else", () => {
    const resources = existing.template.toJSON().Resources as Resources;
    for (const fn of [existing.stack.functions.send]) {
      const role = existing.stack.resolve(fn.role?.roleName) as { Ref: string };
      const statements = Object.values(resources)
        .filter(
          (r) =>
            r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties?.Roles).includes(role.Ref),
        )
        .flatMap((r) => {
          const doc = r.Properties?.PolicyDocument as
            | { Statement: { Action: unknown; Resource: unknown }[] }
            | undefined;
          return doc?.Statement ?? [];
        })
        .filter((s) => s.Action === "ses:SendEmail");
      expect(statements).toHaveLength(1);
      const resource = JSON.stringify(statements[0]?.Resource);
      expect(resource).toContain(':identity/hips.example"');
      expect(resource).toContain(":configuration-set/");
      expect(resource).not.toContain("*");
    }
  });

  it("gets bounces and complaints through the same configuration set and rule", () => {
    existing.template.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
      EventDestination: Match.objectLike({ MatchingEventTypes: ["bounce", "complaint"] }),
    });
    existing.template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.objectLike({ source: ["aws.ses"] }),
    });
    const env = (fn: keyof typeof existing.stack.functions) =>
      existing.stack.resolve(
        (existing.stack.functions[fn].node.defaultChild as unknown as { environment: unknown })
          .environment,
      ) as { variables: Record<string, unknown> };
    // Only the send workers send (the web function queues its emails).
    expect(env("web").variables.CONFIGURATION_SET).toBeUndefined();
    expect(JSON.stringify(env("send").variables.CONFIGURATION_SET)).toContain(
      "MailConfigurationSet",
    );
  });

  it("outputs the records it can know (its DKIM tokens come from the doctor), and passes cdk-nag", () => {
    const outputs = existing.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const records = Object.entries(outputs)
      .filter(([k]) => k.startsWith("DnsRecord"))
      .map(([, o]) => JSON.stringify(o.Value));
    expect(records.some((r) => r.includes(" CNAME "))).toBe(false);
    expect(records.some((r) => r.includes("mail.hips.example MX"))).toBe(true);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(["ConfigurationSetName", "AlarmTopicArn", "DistributionDomain"]),
    );
    expect(new AwsSolutionsChecks().validateScope(existing.stack).success).toBe(true);
  });
});

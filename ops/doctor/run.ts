import type { ACMClient } from "@aws-sdk/client-acm";
import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import type { SNSClient } from "@aws-sdk/client-sns";
import { type DeployConfig, stackName } from "../../infra/aws/config";
import { checkAlarmSubscription } from "./alarms";
import type { Caller } from "./credentials";
import { checkDns, type DnsResolver } from "./dns";
import { describeError, type Finding, fail, isAccessDenied, pass } from "./finding";
import { checkIdentity } from "./identity";
import { checkKeys } from "./keys";
import { checkSesRegion } from "./region";
import { checkAccount, checkConfigurationSet, checkSandboxRecipients } from "./sending";
import { checkCertificate, checkHealth } from "./site";
import { checkBootstrap, checkStack } from "./stack";

/** Everything the doctor reads, passed in: real clients, or clients answering recorded replies. */
export interface DoctorDeps {
  config: DeployConfig;
  region: string;
  caller: Caller;
  ses: Pick<SESv2Client, "send">;
  cloudFormation: Pick<CloudFormationClient, "send">;
  /** Reads the keys secret's description and tags, never a value. */
  secrets: Pick<SecretsManagerClient, "send">;
  sns: Pick<SNSClient, "send">;
  /** An ACM client in us-east-1, where CloudFront's certificates live. */
  acmUsEast1: Pick<ACMClient, "send">;
  dns: DnsResolver;
  fetch: typeof fetch;
  now: Date;
}

export interface Section {
  name: string;
  findings: Finding[];
}

export interface Report {
  stage: string;
  stackName: string;
  region: string;
  account: string;
  sections: Section[];
  /** The fix of the first thing not passing, in deploy order. */
  next?: string;
  failed: boolean;
}

/** A check that throws (a missing permission, a network error) becomes a failed line, not a crash. */
async function guarded(what: string, fn: () => Promise<Finding | Finding[]>): Promise<Finding[]> {
  try {
    return [await fn()].flat();
  } catch (e) {
    return [
      fail(
        `${what}: ${describeError(e)}`,
        isAccessDenied(e)
          ? "Give these credentials read access (e.g. the ReadOnlyAccess policy), then run the doctor again."
          : "Run the doctor again; if it persists, check the network.",
      ),
    ];
  }
}

/**
 * Runs every check in deploy order: AWS, stack, SES identity, DNS, sending, site. Checks that
 * need the stack wait (skip) before the first deploy, and the report names what comes next.
 */
export async function runDoctor(deps: DoctorDeps): Promise<Report> {
  const { config, region } = deps;
  const name = stackName(config.stage);
  const aws: Finding[] = [
    pass(`Credentials: account ${deps.caller.account} as ${deps.caller.arn}`),
    ...(await guarded("SES region", () => checkSesRegion(deps.ses, region))),
  ];
  const stack = await checkStack(deps.cloudFormation, name, { region, stage: config.stage });
  const stackFindings = [
    ...(stack.deployed
      ? []
      : await guarded("CDK bootstrap", () => checkBootstrap(deps.cloudFormation, region))),
    ...stack.findings,
    ...(await guarded("Keys secret", () =>
      checkKeys(deps.secrets, deps.cloudFormation, {
        stage: config.stage,
        deployed: stack.deployed,
      }),
    )),
  ];
  const identity = await checkIdentity(deps.ses, {
    domain: config.domain,
    region,
    useExistingIdentity: config.useExistingIdentity,
    deployed: stack.deployed,
  });
  const siteHost = config.siteUrl ? new URL(config.siteUrl).host : undefined;
  const dns = await checkDns(deps.dns, {
    domain: config.domain,
    region,
    dkimTokens: identity.dkimTokens,
    // Before the deploy, the MAIL FROM domain the stack will set up can be checked already.
    mailFromDomain:
      identity.mailFromDomain ?? (config.useExistingIdentity ? undefined : `mail.${config.domain}`),
    dmarcReportEmail: config.alarmEmail,
    site: siteHost
      ? { host: siteHost, distributionDomain: stack.outputs.DistributionDomain }
      : undefined,
  });
  const sending = [
    ...(await guarded("SES account", () =>
      checkAccount(deps.ses, { region, sandboxRecipients: config.sandboxRecipients }),
    )),
    ...(config.sandboxRecipients?.length
      ? await guarded("Test recipients", () =>
          checkSandboxRecipients(deps.ses, {
            recipients: config.sandboxRecipients ?? [],
            deployed: stack.deployed,
          }),
        )
      : []),
    ...(await guarded("Configuration set", () =>
      checkConfigurationSet(deps.ses, { region, name: stack.outputs.ConfigurationSetName }),
    )),
    ...(await guarded("Alarm subscription", () =>
      checkAlarmSubscription(deps.sns, {
        region,
        topicArn: stack.outputs.AlarmTopicArn,
        email: config.alarmEmail,
      }),
    )),
  ];
  const site = [
    ...(siteHost
      ? await guarded("Certificate", () =>
          checkCertificate(deps.acmUsEast1, {
            arn: config.certificateArn,
            host: siteHost,
            now: deps.now,
          }),
        )
      : []),
    ...(await guarded("Site", () => checkHealth(deps.fetch, { siteUrl: stack.outputs.SiteUrl }))),
  ];
  const sections: Section[] = [
    { name: "AWS", findings: aws },
    { name: "Stack", findings: stackFindings },
    { name: "SES identity", findings: identity.findings },
    { name: "DNS", findings: dns },
    { name: "Sending", findings: sending },
    { name: "Site", findings: site },
  ];
  const all = sections.flatMap((s) => s.findings);
  // Before the first deploy, deploying comes next (bootstrap first); after it, the first
  // failure, then the first thing to watch.
  const open = (status: string) => all.find((f) => f.status === status);
  const nextUp = stack.deployed
    ? (open("fail") ?? open("warn") ?? open("skip"))
    : (stackFindings.find((f) => f.status !== "pass") ?? open("fail") ?? open("warn"));
  return {
    stage: config.stage,
    stackName: name,
    region,
    account: deps.caller.account,
    sections,
    next: nextUp?.fix,
    failed: all.some((f) => f.status === "fail"),
  };
}

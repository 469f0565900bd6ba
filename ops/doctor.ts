import { Resolver } from "node:dns/promises";
import { ACMClient } from "@aws-sdk/client-acm";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { cdkJsonConfig, DeployConfigError, readConfig } from "../infra/aws/config";
import {
  credentialsProblem,
  NoCredentialsError,
  setupProblems,
  whoAmI,
} from "./doctor/credentials";
import { formatReport } from "./doctor/format";
import { runDoctor } from "./doctor/run";

/**
 * `npm run doctor`: checks a stage's deployment with the same configuration as the stack
 * (cdk.json + HH_* variables, HH_STAGE picks the stage) and the person's AWS credentials.
 * Exits 1 when anything fails, or when the region or credentials are missing (a line for each
 * missing thing, no stack trace).
 */
async function main(): Promise<number> {
  const config = readConfig(cdkJsonConfig(), process.env);
  const base = config.region ? { region: config.region } : {};
  const sts = new STSClient(base);
  const missing = await setupProblems(sts.config);
  if (missing.length) throw new NoCredentialsError(missing.join("\n"));
  const region = await sts.config.region();
  const caller = await whoAmI(sts);
  const report = await runDoctor({
    config,
    region,
    caller,
    ses: new SESv2Client({ region }),
    cloudFormation: new CloudFormationClient({ region }),
    secrets: new SecretsManagerClient({ region }),
    sns: new SNSClient({ region }),
    acmUsEast1: new ACMClient({ region: "us-east-1" }),
    dns: new Resolver({ timeout: 5000, tries: 2 }),
    fetch,
    now: new Date(),
  });
  console.log(formatReport(report));
  return report.failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const known =
      e instanceof DeployConfigError || e instanceof NoCredentialsError
        ? e.message
        : credentialsProblem(e);
    console.error(known ?? `doctor: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    process.exitCode = 1;
  },
);

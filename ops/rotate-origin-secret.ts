import { parseArgs } from "node:util";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { cdkJsonConfig, DeployConfigError, readConfig, stackName } from "../infra/aws/config";
import { RotationError, rotateOriginSecret } from "./lib/origin-rotation";
import { runCommand } from "./lib/target";

const HELP = `npm run rotate-origin-secret          (HH_STAGE=<stage> for another stage)

Replaces the secret CloudFront adds to every request to the web API, without a moment in
which CloudFront is refused: stores a new value, waits about 6 minutes until every web
instance knows it, then makes CloudFront send it and waits for that to deploy. Takes 10-20
minutes; if interrupted, run it again and it finishes the rotation under way. Prints no value.
Needs secretsmanager:GetSecretValue and PutSecretValue on the secret, and
cloudfront:GetDistribution and UpdateDistribution on the distribution.`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main() {
  const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" } } });
  if (values.help) return console.log(HELP);
  const config = readConfig(cdkJsonConfig(), process.env);
  const base = config.region ? { region: config.region } : {};
  const name = stackName(config.stage);
  const cfn = new CloudFormationClient(base);
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  const output = (key: string) => stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  const secretId = output("OriginSecretArn");
  const distributionId = output("DistributionId");
  if (!secretId || !distributionId) {
    throw new RotationError(`stack ${name} has no OriginSecretArn output: deploy it first`);
  }
  const secrets = new SecretsManagerClient(base);
  // CloudFront's API lives in us-east-1 whatever the stack's region.
  const cloudfront = new CloudFrontClient({ region: "us-east-1" });
  try {
    const result = await rotateOriginSecret({
      secrets,
      cloudfront,
      secretId,
      distributionId,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      say: (line) => console.log(line),
    });
    console.log(result === "rotated" ? `Rotated (${name}).` : `Rotation finished (${name}).`);
  } finally {
    for (const client of [cfn, secrets, cloudfront]) client.destroy();
  }
}

runCommand(main, [RotationError, DeployConfigError]);

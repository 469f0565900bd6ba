import { parseArgs } from "node:util";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  cdkJsonConfig,
  DeployConfigError,
  keysSecretName,
  readConfig,
  stackName,
} from "../infra/aws/config";
import { KeysError, setUpKeys } from "./lib/keys-setup";
import { runCommand } from "./lib/target";

const HELP = `npm run keys          (HH_STAGE=<stage> for another stage)

Run before every deploy of a stage whose keys secret (HealthyHips-<stage>/keys) may not exist
yet: the first deploy of a new stage, and the first deploy of this version over a stack
deployed before (which kept its keys in two secrets, TokenKey and IdKey).
- No stack yet: makes the keys secret with two fresh keys.
- A stack deployed before: copies its two keys, unchanged, into the keys secret; the old
  secrets stay as they are until you delete them after the deploy (it prints how).
- The keys secret is there: checks it (and that it matches the old secrets, if the stack
  still has them); changes nothing.
Refuses, changing nothing, when a deployed stack's keys cannot be found or do not match.
Prints no key. Needs cloudformation:DescribeStacks and ListStackResources on the stack, and
secretsmanager:GetSecretValue and CreateSecret.`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main() {
  const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" } } });
  if (values.help) return console.log(HELP);
  const config = readConfig(cdkJsonConfig(), process.env);
  const base = config.region ? { region: config.region } : {};
  const secrets = new SecretsManagerClient(base);
  const cloudformation = new CloudFormationClient(base);
  try {
    await setUpKeys({
      secrets,
      cloudformation,
      stackName: stackName(config.stage),
      secretName: keysSecretName(config.stage),
      say: (line) => console.log(line),
    });
  } finally {
    for (const client of [secrets, cloudformation]) client.destroy();
  }
}

runCommand(main, [KeysError, DeployConfigError]);

import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { consoleUrl, describeError, type Finding, fail, pass, warn } from "./finding";

/** What the doctor learns from CloudFormation. */
export interface StackState {
  deployed: boolean;
  /** OutputKey -> OutputValue; empty before the first deploy. */
  outputs: Record<string, string>;
  findings: Finding[];
}

/** The CDK bootstrap stack every `cdk deploy` needs once per account and region. */
export const BOOTSTRAP_STACK = "CDKToolkit";

const notFound = (e: unknown) =>
  e instanceof Error && e.name === "ValidationError" && /does not exist/i.test(e.message);

async function describe(
  cfn: Pick<CloudFormationClient, "send">,
  name: string,
): Promise<Stack | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    return out.Stacks?.[0];
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/** The account and region are bootstrapped for the CDK (`cdk bootstrap` ran once). */
export async function checkBootstrap(
  cfn: Pick<CloudFormationClient, "send">,
  region: string,
): Promise<Finding> {
  const toolkit = await describe(cfn, BOOTSTRAP_STACK);
  if (toolkit && !/FAILED|ROLLBACK_COMPLETE|DELETE/.test(toolkit.StackStatus ?? "")) {
    return pass(`CDK bootstrapped in ${region}`);
  }
  return warn(
    `CDK is not bootstrapped in ${region}${toolkit ? ` (${toolkit.StackStatus})` : ""}`,
    "Run `npm run cdk bootstrap` once for this account and region.",
  );
}

/**
 * The stage's stack: deployed or not, its status, and its outputs (the names and addresses
 * the other checks look up).
 */
export async function checkStack(
  cfn: Pick<CloudFormationClient, "send">,
  name: string,
  ctx: { region: string; stage: string },
): Promise<StackState> {
  let stack: Stack | undefined;
  try {
    stack = await describe(cfn, name);
  } catch (e) {
    return {
      deployed: false,
      outputs: {},
      findings: [
        fail(
          `Could not read stack ${name} (${describeError(e)})`,
          "Let these credentials call cloudformation:DescribeStacks (e.g. the ReadOnlyAccess policy).",
        ),
      ],
    };
  }
  const env = ctx.stage === "prod" ? "" : `HH_STAGE=${ctx.stage} `;
  const deployCmd = `${env}npm run cdk deploy`;
  if (!stack) {
    // The stack reads its keys secret, which `npm run keys` makes (it only checks it if there).
    const fix = `Make its keys, then deploy it: \`${env}npm run keys\`, then \`${deployCmd}\`.`;
    return {
      deployed: false,
      outputs: {},
      findings: [warn(`Stack ${name} is not deployed yet`, fix)],
    };
  }
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
  );
  const status = stack.StackStatus ?? "UNKNOWN";
  const when = (stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString().slice(0, 16);
  const events = `Open ${consoleUrl.stacks(ctx.region)} → ${name} → Events for the first failure`;
  let finding: Finding;
  if (
    status === "ROLLBACK_COMPLETE" ||
    status === "ROLLBACK_FAILED" ||
    status === "CREATE_FAILED"
  ) {
    finding = fail(
      `Stack ${name}: ${status} (its first create failed)`,
      `${events}, fix it, delete the stack (\`npm run cdk destroy\`), then \`${deployCmd}\` again.`,
    );
  } else if (/FAILED/.test(status) || status === "UPDATE_ROLLBACK_COMPLETE") {
    finding = fail(`Stack ${name}: ${status}`, `${events}, fix it, then \`${deployCmd}\` again.`);
  } else if (/IN_PROGRESS/.test(status)) {
    finding = warn(`Stack ${name}: ${status}`, "Wait for it to finish, then run the doctor again.");
  } else {
    finding = pass(`Stack ${name}: ${status}${when ? ` (${when.replace("T", " ")} UTC)` : ""}`);
  }
  finding.detail = ["SiteUrl", "DistributionDomain", "ConfigurationSetName", "TableName"]
    .filter((k) => outputs[k])
    .map((k) => `${k}: ${outputs[k]}`);
  return { deployed: true, outputs, findings: [finding] };
}

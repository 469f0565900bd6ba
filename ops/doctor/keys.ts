import {
  type CloudFormationClient,
  ListStackResourcesCommand,
} from "@aws-sdk/client-cloudformation";
import {
  DescribeSecretCommand,
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  type SecretListEntry,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { keysSecretName, stackName } from "../../infra/aws/config";
import { LEGACY_KEY_IDS } from "../lib/keys-setup";
import { type Finding, fail, pass, warn } from "./finding";

const notFound = (e: unknown) => e instanceof Error && e.name === "ResourceNotFoundException";

const tag = (s: SecretListEntry, key: string) => s.Tags?.find((t) => t.Key === key)?.Value;

/**
 * The stage's older key secrets (from before the keys secret) that its stack no longer holds:
 * kept on delete, unused since the upgrade, still billed. Found by the tags CloudFormation put
 * on them (this stack's name, the logical ids the Keys construct gave them).
 */
async function unusedOldSecrets(
  secrets: Pick<SecretsManagerClient, "send">,
  cfn: Pick<CloudFormationClient, "send">,
  stack: string,
): Promise<string[]> {
  const inStack = new Set<string>();
  let token: string | undefined;
  do {
    const page = await cfn.send(
      new ListStackResourcesCommand({ StackName: stack, NextToken: token }),
    );
    for (const r of page.StackResourceSummaries ?? []) inStack.add(r.LogicalResourceId ?? "");
    token = page.NextToken;
  } while (token);
  const old = Object.values(LEGACY_KEY_IDS);
  // Still resources of the stack: this version is not deployed yet, and they are in use.
  if (old.some((id) => inStack.has(id))) return [];
  const found: string[] = [];
  token = undefined;
  do {
    const page: ListSecretsCommandOutput = await secrets.send(
      new ListSecretsCommand({
        Filters: [
          { Key: "tag-key", Values: ["aws:cloudformation:stack-name"] },
          { Key: "tag-value", Values: [stack] },
        ],
        NextToken: token,
      }),
    );
    for (const s of page.SecretList ?? []) {
      const id = tag(s, "aws:cloudformation:logical-id") ?? "";
      if (tag(s, "aws:cloudformation:stack-name") === stack && old.includes(id) && s.ARN) {
        found.push(s.ARN);
      }
    }
    token = page.NextToken;
  } while (token);
  return found;
}

/**
 * The keys secret the stack reads (`npm run keys` makes it) exists and is not being deleted;
 * after an upgrade, the older key secrets it replaced are pointed out for deletion. Reads only
 * the secrets' descriptions and tags, never a value.
 */
export async function checkKeys(
  secrets: Pick<SecretsManagerClient, "send">,
  cfn: Pick<CloudFormationClient, "send">,
  ctx: { stage: string; deployed: boolean },
): Promise<Finding[]> {
  const name = keysSecretName(ctx.stage);
  const keysCmd = `${ctx.stage === "prod" ? "" : `HH_STAGE=${ctx.stage} `}npm run keys`;
  let deletedOn: Date | undefined;
  try {
    deletedOn = (await secrets.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate;
  } catch (e) {
    if (!notFound(e)) throw e;
    const fix = `Run \`${keysCmd}\` before the next deploy (over a stack deployed before, it copies that stack's two keys into it); a deploy without it fails.`;
    return [(ctx.deployed ? fail : warn)(`Keys secret ${name} does not exist`, fix)];
  }
  if (deletedOn) {
    return [
      fail(
        `Keys secret ${name} is scheduled for deletion`,
        `Restore it now: \`aws secretsmanager restore-secret --secret-id ${name}\`. Every subscriber id is a hash under its id key: new keys cannot replace it.`,
      ),
    ];
  }
  const findings = [pass(`Keys secret ${name}`)];
  if (!ctx.deployed) return findings;
  const old = await unusedOldSecrets(secrets, cfn, stackName(ctx.stage));
  if (old.length > 0) {
    findings.push(
      warn(
        `${old.length} key secret${old.length > 1 ? "s" : ""} from before the keys secret, unused since the upgrade, cost $${(0.4 * old.length).toFixed(2)} a month`,
        `Delete (30 days to change your mind): ${old.map((arn) => `\`aws secretsmanager delete-secret --recovery-window-in-days 30 --secret-id ${arn}\``).join(", ")}.`,
      ),
    );
  }
  return findings;
}

import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";

/** Who the doctor runs as. */
export interface Caller {
  account: string;
  arn: string;
}

/** No usable credentials or region: the doctor says so, a line for each, and stops. */
export class NoCredentialsError extends Error {
  override name = "NoCredentialsError";
}

const CONFIGURE =
  "run `aws configure` (access keys) or `aws sso login --profile <name>` and `export AWS_PROFILE=<name>` (IAM Identity Center), then `npm run doctor` again";

export const NO_REGION =
  "No AWS region is set: run `aws configure set region eu-west-1` (or your region), set AWS_REGION, or set healthyHips.region in cdk.json.";

/**
 * Turns a failed first call into the one line a person needs, or undefined when the error is
 * not about credentials or region.
 */
export function credentialsProblem(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const text = `${e.name} ${e.message}`;
  if (/Region is missing|region.*not.*(set|configured)/i.test(text)) return NO_REGION;
  if (/sso.*(expired|refresh)|token.*expired|ExpiredToken/i.test(text)) {
    return `Your AWS session has expired: run \`aws sso login\` (or renew your keys with \`aws configure\`), then \`npm run doctor\` again.`;
  }
  if (e.name === "CredentialsProviderError" || /Could not load credentials/i.test(text)) {
    return `No AWS credentials found: ${CONFIGURE}.`;
  }
  if (
    /InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient|security token.*invalid/i.test(
      text,
    )
  ) {
    return `AWS refused these credentials (${e.name}): check them with \`aws configure\`, or ${CONFIGURE}.`;
  }
  return undefined;
}

/** What an SDK client resolves before its first call: its region and its credentials. */
interface ClientSetup {
  region: () => Promise<string>;
  credentials: () => Promise<unknown>;
}

/**
 * Everything missing before the first call, all at once, one line each with how to set it: a
 * person with nothing configured learns about the region and the credentials together, not
 * one per run. Empty when both resolve (or fail for a reason these lines do not cover, which
 * the first call then reports).
 */
export async function setupProblems(config: ClientSetup): Promise<string[]> {
  const problems: string[] = [];
  for (const resolve of [config.region, config.credentials]) {
    try {
      await resolve();
    } catch (e) {
      const line = credentialsProblem(e);
      if (line && !problems.includes(line)) problems.push(line);
    }
  }
  return problems;
}

/**
 * Asks STS who the credentials belong to. Throws {@link NoCredentialsError} with the one line
 * to print when there are none, they expired or AWS refuses them.
 */
export async function whoAmI(sts: Pick<STSClient, "send">): Promise<Caller> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? "?", arn: out.Arn ?? "?" };
  } catch (e) {
    const line = credentialsProblem(e);
    if (line) throw new NoCredentialsError(line);
    throw e;
  }
}

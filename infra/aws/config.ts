import { readFileSync } from "node:fs";
import { z } from "zod";

/** Where each value can come from: `cdk.json` context `healthyHips.<key>`, or an env var. */
export const CONFIG_SOURCES = {
  stage: "HH_STAGE",
  region: "HH_REGION",
  domain: "HH_DOMAIN",
  useExistingIdentity: "HH_USE_EXISTING_IDENTITY",
  senderEmail: "HH_SENDER_EMAIL",
  senderName: "HH_SENDER_NAME",
  replyTo: "HH_REPLY_TO",
  siteUrl: "HH_SITE_URL",
  certificateArn: "HH_CERTIFICATE_ARN",
  alarmEmail: "HH_ALARM_EMAIL",
  sandboxRecipients: "HH_SANDBOX_RECIPIENTS",
} as const;
export type ConfigKey = keyof typeof CONFIG_SOURCES;

/** The context key in cdk.json that holds the deployment's values. */
export const CONTEXT_KEY = "healthyHips";

/**
 * The `healthyHips` context of the project's cdk.json, read without loading the CDK, so
 * operator commands (`npm run doctor`) start fast and read what `cdk deploy` reads.
 */
export function cdkJsonConfig(): unknown {
  const file = new URL("../../cdk.json", import.meta.url);
  const cdkJson = JSON.parse(readFileSync(file, "utf8")) as { context?: Record<string, unknown> };
  return cdkJson.context?.[CONTEXT_KEY];
}

/** The stage when none is named: the one the public sees. */
export const DEFAULT_STAGE = "prod";

/**
 * Regions where Amazon SES offers its sending API (the AWS General Reference's SES endpoint
 * table). A stack elsewhere deploys but can never send, so the region is refused up front;
 * `npm run doctor` also asks the SES API itself. Add a region here when AWS opens SES there.
 */
export const SES_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-south-1",
  "ap-south-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ca-central-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
];

/** Whether SES sends from `region` (see {@link SES_REGIONS}). */
export const isSesRegion = (region: string): boolean => SES_REGIONS.includes(region);

const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "a domain like example.com",
  );

/** A list of addresses, as a JSON array or a comma-separated string (an env var). */
const emailList = (max: number) =>
  z
    .union([
      z.string().transform((s) =>
        s
          .split(",")
          .map((e) => e.trim())
          .filter(Boolean),
      ),
      z.array(z.string()),
    ])
    .pipe(z.array(z.email({ error: "not an email address" })).max(max));

/**
 * The site's public origin: https, a host and nothing after it. Links in emails are built as
 * `<siteUrl>/confirm?...`, and CloudFront serves the site at the root of its host, so a path
 * would produce links that do not exist.
 */
const siteOrigin = z
  .string()
  .trim()
  .transform((s, ctx) => {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      ctx.addIssue({ code: "custom", message: "an https:// URL like https://yoga.example.com" });
      return z.NEVER;
    }
    const problem =
      url.protocol !== "https:"
        ? "must start with https:// (CloudFront serves the site over TLS only)"
        : url.username || url.password
          ? "must not carry a user name or password"
          : url.port
            ? "must not name a port: CloudFront answers on 443"
            : url.pathname !== "/" || url.search || url.hash
              ? `must be an origin only, like https://${url.host}: the site is served at the root of its host, so a path, query or fragment is refused`
              : undefined;
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    return url.origin;
  });

const flag = z.union([
  z.boolean(),
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .transform((s) => ["true", "1", "yes"].includes(s)),
]);

export const DeployConfigSchema = z
  .object({
    /**
     * Names this deployment (`prod`, `staging`, ...): the stack is `HealthyHips-<stage>`, and
     * every name CloudFormation derives from it, so stages share one account and region.
     */
    stage: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,19}$/,
        "lower-case letters, digits and hyphens, starting with a letter, at most 20",
      )
      .default(DEFAULT_STAGE),
    /** Deploy here instead of the AWS profile's region. */
    region: z
      .string()
      .refine(isSesRegion, {
        error: (i) =>
          `SES is not offered in ${String(i.input)}: choose one of ${SES_REGIONS.join(", ")}`,
      })
      .optional(),
    /** The domain mail is sent from (SES identity, DKIM, MAIL FROM `mail.<domain>`). */
    domain: hostname,
    /**
     * The domain's SES identity already exists (verified by hand, or owned by another stage):
     * the stack uses it instead of creating it. Its DKIM and MAIL FROM are then set up by hand;
     * `npm run doctor` checks them.
     */
    useExistingIdentity: flag.default(false),
    senderEmail: z.email({ error: "not an email address" }),
    senderName: z.string().min(1).max(100),
    replyTo: z.email({ error: "not an email address" }).optional(),
    /** Public site origin; absent: the CloudFront distribution's own https://…cloudfront.net. */
    siteUrl: siteOrigin.optional(),
    /** ACM certificate in us-east-1 for the siteUrl host (CloudFront needs one there). */
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
        "an ACM certificate ARN in us-east-1",
      )
      .optional(),
    /** Gets the alarms; also DMARC aggregate reports. */
    alarmEmail: z.email({ error: "not an email address" }),
    /** While in the SES sandbox: addresses to verify and allow as test recipients. */
    sandboxRecipients: emailList(10).optional(),
  })
  .superRefine((c, ctx) => {
    const senderDomain = c.senderEmail.split("@")[1]?.toLowerCase() ?? "";
    if (senderDomain !== c.domain) {
      ctx.addIssue({
        code: "custom",
        path: ["senderEmail"],
        message: `must be an address at ${c.domain} (the verified SES domain)`,
      });
    }
    if (c.siteUrl && !c.certificateArn) {
      ctx.addIssue({
        code: "custom",
        path: ["certificateArn"],
        message: "required when siteUrl is set: CloudFront serves that host with it",
      });
    }
  });

export type DeployConfig = z.infer<typeof DeployConfigSchema>;
/** The configuration as written, before defaults (what tests and callers may leave out). */
export type DeployConfigInput = z.input<typeof DeployConfigSchema>;

/** A configuration value is missing or invalid; the message names it and where to set it. */
export class DeployConfigError extends Error {
  override name = "DeployConfigError";
}

/** The CloudFormation stack of a stage. */
export const stackName = (stage: string): string => `HealthyHips-${stage}`;

/**
 * The Secrets Manager secret that holds a stage's two keys. `npm run keys` makes it, outside the
 * stack, before the first deploy (or copies an older stack's two key secrets into it); the
 * stack only reads it, so deleting the stack never deletes the keys.
 */
export const keysSecretName = (stage: string): string => `${stackName(stage)}/keys`;

const where = (key: string, stage: string) =>
  key in CONFIG_SOURCES
    ? `context "${CONTEXT_KEY}.${key}" (or "${CONTEXT_KEY}.stages.${stage}.${key}") in cdk.json, or ${CONFIG_SOURCES[key as ConfigKey]}`
    : `context "${CONTEXT_KEY}"`;

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Reads the deployment's values. For each key the first found wins: its environment variable,
 * then `healthyHips.stages.<stage>.<key>` in cdk.json, then `healthyHips.<key>`. Throws
 * {@link DeployConfigError} naming every missing or invalid value and where to set it,
 * including a deploy region (the profile's, as the CDK CLI passes it) where SES is not offered.
 * @example readConfig(app.node.tryGetContext("healthyHips"), process.env)
 */
export function readConfig(
  context: unknown,
  env: Record<string, string | undefined> = process.env,
): DeployConfig {
  const base = record(context);
  const stage = env[CONFIG_SOURCES.stage] || (base.stage as string | undefined) || DEFAULT_STAGE;
  const perStage = record(record(base.stages)[stage]);
  const merged: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(CONFIG_SOURCES)) {
    const value = env[envName] || perStage[key] || base[key];
    if (value !== undefined && value !== "") merged[key] = value;
  }
  const result = DeployConfigSchema.safeParse(merged);
  const lines = result.success
    ? []
    : result.error.issues.map((i) => {
        const key = String(i.path[0] ?? "");
        if (merged[key] === undefined) {
          const when = i.code === "custom" ? ` (${i.message})` : "";
          return `missing value "${key}"${when}: set ${where(key, stage)}`;
        }
        return `invalid value "${key}": ${i.message} (${where(key, stage)})`;
      });
  // Without `region` the stack goes to the profile's region, which the CDK CLI passes in.
  const ambient = env.CDK_DEFAULT_REGION || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (merged.region === undefined && ambient && !isSesRegion(ambient)) {
    lines.push(
      `the deploy region ${ambient} (from your AWS profile or environment) does not offer SES: set ${where("region", stage)} to one of ${SES_REGIONS.join(", ")}`,
    );
  }
  if (result.success && lines.length === 0) return result.data;
  throw new DeployConfigError(
    `Deployment configuration (stage "${stage}"):\n  ${lines.join("\n  ")}`,
  );
}

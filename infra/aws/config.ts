import { z } from "zod";

/** Where each value can come from: `cdk.json` context `healthyHips.<key>`, or an env var. */
export const CONFIG_SOURCES = {
  domain: "HH_DOMAIN",
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

const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "a domain like example.com",
  );

export const DeployConfigSchema = z
  .object({
    /** The domain mail is sent from (SES identity, DKIM, MAIL FROM `mail.<domain>`). */
    domain: hostname,
    senderEmail: z.email(),
    senderName: z.string().min(1).max(100),
    replyTo: z.email().optional(),
    /** Public site origin; absent: the CloudFront distribution's own https://…cloudfront.net. */
    siteUrl: z
      .url({ protocol: /^https$/, error: "an https:// URL" })
      .transform((u) => u.replace(/\/+$/, ""))
      .optional(),
    /** ACM certificate in us-east-1 for the siteUrl host (CloudFront needs one there). */
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
        "an ACM certificate ARN in us-east-1",
      )
      .optional(),
    /** Also gets DMARC aggregate reports. */
    alarmEmail: z.email(),
    /** While in the SES sandbox: addresses to verify and allow as test recipients. */
    sandboxRecipients: z
      .union([z.string().transform((s) => s.split(",").map((e) => e.trim())), z.array(z.string())])
      .pipe(z.array(z.email()).max(10))
      .optional(),
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

/** A configuration value is missing or invalid; the message names it and where to set it. */
export class DeployConfigError extends Error {
  override name = "DeployConfigError";
}

const where = (key: string) =>
  key in CONFIG_SOURCES
    ? `context "${CONTEXT_KEY}.${key}" in cdk.json or ${CONFIG_SOURCES[key as ConfigKey]}`
    : `context "${CONTEXT_KEY}"`;

/**
 * Reads the deployment's values: an environment variable wins over cdk.json context. Throws
 * {@link DeployConfigError} naming every missing or invalid value and where to set it.
 * @example readConfig(app.node.tryGetContext("healthyHips"), process.env)
 */
export function readConfig(
  context: unknown,
  env: Record<string, string | undefined> = process.env,
): DeployConfig {
  const fromContext =
    context && typeof context === "object" ? (context as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(CONFIG_SOURCES)) {
    const value = env[envName] || fromContext[key];
    if (value !== undefined && value !== "") merged[key] = value;
  }
  const result = DeployConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const key = String(i.path[0] ?? "");
    if (merged[key] === undefined) {
      const when = i.code === "custom" ? ` (${i.message})` : "";
      return `missing value "${key}"${when}: set ${where(key)}`;
    }
    return `invalid value "${key}": ${i.message} (${where(key)})`;
  });
  throw new DeployConfigError(`Deployment configuration:\n  ${lines.join("\n  ")}`);
}

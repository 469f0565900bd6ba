import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployConfig } from "../../infra/aws/config";
import { formatReport } from "../../ops/doctor/format";
import { runDoctor } from "../../ops/doctor/run";
import { clients } from "./clients";
import { startDnsServer, type Zone } from "./dns-server";
import type { Recorded } from "./recorded";
import * as reply from "./replies";

const config: DeployConfig = {
  stage: "prod",
  domain: reply.DOMAIN,
  useExistingIdentity: false,
  senderEmail: "hello@hips.example",
  senderName: "Clara",
  alarmEmail: "alarms@hips.example",
  siteUrl: "https://yoga.hips.example",
  certificateArn: reply.CERTIFICATE_ARN,
};

/** The world as the records of a finished deployment leave it. */
function worldZone(): Zone {
  const zone: Zone = {
    "mail.hips.example": {
      MX: [{ exchange: `feedback-smtp.${reply.REGION}.amazonses.com`, priority: 10 }],
      TXT: [["v=spf1 include:amazonses.com ~all"]],
    },
    "_dmarc.hips.example": { TXT: [["v=DMARC1; p=none; rua=mailto:alarms@hips.example"]] },
    "yoga.hips.example": { CNAME: reply.DISTRIBUTION },
  };
  for (const t of reply.DKIM_TOKENS) {
    zone[`${t}._domainkey.hips.example`] = { CNAME: `${t}.dkim.amazonses.com` };
  }
  return zone;
}

/** The README's deploy guide shows these very reports: keep it true. */
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const expectInReadme = (text: string) => expect(readme).toContain(`\n${text}\n`);

let zone: Zone = {};
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let site: Server;
let siteUrl: string;
beforeAll(async () => {
  dns = await startDnsServer(new Proxy({} as Zone, { get: (_t, k: string) => zone[k] }));
  // Stands in for CloudFront in front of the app: the doctor follows the SiteUrl output.
  site = createServer((_req, res) => {
    res.writeHead(200, { via: "1.1 0a1b2c3d4e5f.cloudfront.net (CloudFront)" });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await dns.close();
  await new Promise((r) => site.close(r));
});

interface World {
  stack?: Recorded;
  identity?: Recorded;
  account?: Recorded;
  subscriptions?: Recorded;
  keys?: Recorded;
}
/** CloudFormation's answers: the bootstrap stack exists; the stage's stack is `stack` or none. */
const stacks = (stack?: Recorded) => (input: unknown) => {
  const name = (input as { StackName: string }).StackName;
  if (name === "CDKToolkit") return reply.describeStacks(name, "CREATE_COMPLETE", {});
  return stack ?? reply.stackMissing(name);
};

function doctor(world: World) {
  return runDoctor({
    config,
    region: reply.REGION,
    caller: { account: reply.ACCOUNT, arn: `arn:aws:iam::${reply.ACCOUNT}:user/clara` },
    ses: clients.ses({
      GetAccountCommand: world.account ?? reply.account(),
      GetEmailIdentityCommand: world.identity ?? reply.emailIdentity(),
      GetConfigurationSetCommand: reply.configurationSet(),
    }),
    cloudFormation: clients.cloudFormation({
      DescribeStacksCommand: stacks(world.stack),
      ListStackResourcesCommand: reply.stackResources(["SubscribersTable"]),
    }),
    secrets: clients.secrets({
      DescribeSecretCommand: world.keys ?? reply.describeSecret("HealthyHips-prod/keys"),
      ListSecretsCommand: reply.listSecrets([]),
    }),
    sns: clients.sns({
      ListSubscriptionsByTopicCommand:
        world.subscriptions ?? reply.subscriptions([{ endpoint: "alarms@hips.example" }]),
    }),
    acmUsEast1: clients.acm({ DescribeCertificateCommand: reply.certificate() }),
    dns: dns.resolver,
    // The site host resolves to the stand-in for CloudFront.
    fetch: (url, init) => fetch(String(url).replace(config.siteUrl as string, siteUrl), init),
    now: new Date("2026-12-02T00:00:00Z"),
  });
}

describe("npm run doctor, end to end against recorded AWS replies and a local DNS server", () => {
  it("a finished deployment: every check passes, nothing comes next", async () => {
    zone = worldZone();
    const report = await doctor({
      stack: reply.describeStacks("HealthyHips-prod", "UPDATE_COMPLETE", {
        ...reply.stackOutputs(),
        SiteUrl: config.siteUrl as string,
      }),
    });
    const text = formatReport(report);
    expectInReadme(text);
    const lines = report.sections.flatMap((s) => s.findings);
    expect(lines.filter((f) => f.status !== "pass")).toEqual([]);
    expect(lines.length).toBe(21);
    expect(report).toMatchObject({ failed: false, next: undefined });
    expect(text).toContain("21 ok, 0 to watch, 0 failed, 0 waiting for the deploy.");
  });

  it("before the first deploy: checks what it can and says to deploy next", async () => {
    zone = {};
    const report = await doctor({
      keys: reply.secretMissing(),
      identity: reply.sesNotFound("Email identity hips.example does not exist."),
      account: reply.account({ production: false, max24: 200, sent24: 0, rate: 1 }),
    });
    const text = formatReport(report);
    expectInReadme(text);
    expect(report.next).toBe(
      "Make its keys, then deploy it: `npm run keys`, then `npm run cdk deploy`.",
    );
    const status = (title: string) =>
      report.sections.flatMap((s) => s.findings).find((f) => f.title.startsWith(title))?.status;
    expect(status("SES answers in eu-west-1")).toBe("pass");
    expect(status("SES identity hips.example: the deploy creates it")).toBe("skip");
    expect(status("MX record for mail.hips.example is missing")).toBe("fail");
    expect(status("DMARC record for hips.example is missing")).toBe("fail");
    expect(status("SES sandbox")).toBe("warn");
    expect(status("Certificate for yoga.hips.example")).toBe("pass");
    expect(status("Site /healthz")).toBe("skip");
    expect(report.failed).toBe(true);
  });

  it("a deployment left half done fails, and the first thing to fix comes first", async () => {
    zone = worldZone();
    delete zone[`${reply.DKIM_TOKENS[2]}._domainkey.hips.example`];
    const report = await doctor({
      stack: reply.describeStacks("HealthyHips-prod", "CREATE_COMPLETE", {
        ...reply.stackOutputs(),
        SiteUrl: config.siteUrl as string,
      }),
      identity: reply.emailIdentity({ verification: "PENDING", dkim: "PENDING" }),
      subscriptions: reply.subscriptions([{ endpoint: "alarms@hips.example", pending: true }]),
    });
    const text = formatReport(report);
    expectInReadme(text);
    expect(report.failed).toBe(true);
    expect(report.next).toBe(
      `Add a CNAME record at your DNS host: name ${reply.DKIM_TOKENS[2]}._domainkey.hips.example, value ${reply.DKIM_TOKENS[2]}.dkim.amazonses.com.`,
    );
    expect(text).toContain("FAIL  DKIM record 3 of 3");
    expect(text).toContain("FAIL  Alarm email to alarms@hips.example is pending confirmation");
  });
});

describe("the command", () => {
  const run = promisify(execFile);
  const home = mkdtempSync(join(tmpdir(), "hh-doctor-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  /** `npm run doctor` as a person runs it, with an empty home: no AWS profile at all. */
  async function doctorCommand(env: Record<string, string>) {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("HH_")),
    );
    try {
      await run("node_modules/.bin/tsx", ["ops/doctor.ts"], {
        env: {
          ...clean,
          HOME: home,
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...env,
        },
      });
      return { code: 0, stderr: "" };
    } catch (e) {
      const err = e as { code: number; stderr: string };
      return { code: err.code, stderr: err.stderr };
    }
  }

  it("without credentials: one line on how to get them, exit 1, no stack trace", async () => {
    const { code, stderr } = await doctorCommand({ AWS_REGION: "eu-west-1" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      "No AWS credentials found: run `aws configure` (access keys) or `aws sso login --profile <name>` and `export AWS_PROFILE=<name>` (IAM Identity Center), then `npm run doctor` again.",
    ]);
  });

  it("with nothing configured: every missing thing at once, as the README shows, exit 1", async () => {
    const { code, stderr } = await doctorCommand({});
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      "No AWS region is set: run `aws configure set region eu-west-1` (or your region), set AWS_REGION, or set healthyHips.region in cdk.json.",
      "No AWS credentials found: run `aws configure` (access keys) or `aws sso login --profile <name>` and `export AWS_PROFILE=<name>` (IAM Identity Center), then `npm run doctor` again.",
    ]);
    expectInReadme(stderr.trim());
  });

  it("with credentials but no region: the region's line only, exit 1", async () => {
    const { code, stderr } = await doctorCommand({
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      "No AWS region is set: run `aws configure set region eu-west-1` (or your region), set AWS_REGION, or set healthyHips.region in cdk.json.",
    ]);
  });

  it("with a configuration the stack would refuse: the same message, exit 1", async () => {
    const { code, stderr } = await doctorCommand({
      AWS_REGION: "eu-west-1",
      HH_SITE_URL: "https://yoga.hips.example/course",
    });
    expect(code).toBe(1);
    expect(stderr).toContain('invalid value "siteUrl": must be an origin only');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

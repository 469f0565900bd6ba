import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { cdkContext, placeholderAssets } from "../../infra/aws/bundles";
import type { DeployConfig } from "../../infra/aws/config";
import { PROJECT_ROOT } from "../../infra/aws/constructs/app-function";
import { SEND_BATCH_SIZE, TICK } from "../../infra/aws/constructs/drip";
import { HealthyHipsStack } from "../../infra/aws/stack";
import type { Consumed } from "./io";
import { HOURS_PER_MONTH, PRICES } from "./prices";
import type { BenchRow } from "./row";
import type { SignupCost } from "./signup-probe";

/** What the drip bench measured, per person and per email. */
export interface CostInput {
  /** Emails of the sequence each subscriber gets (welcome + lessons); the confirmation is extra. */
  emailsPerSubscriber: number;
  /** DynamoDB requests and capacity units of each step of becoming a subscriber, per person. */
  signup: SignupCost;
  /** The drip's DynamoDB requests by kind, its capacity units and the emails it sent. */
  drip: { requests: Record<string, number>; consumed: Consumed; emails: number };
  /** Time a send worker spent per email (ms), contention included: an upper bound. */
  sendJobMs: number;
  /** Time the web app took per request of the signup path (ms), measured one at a time. */
  webMs: { signup: number; confirmPage: number; confirm: number; landing: number };
  /** Bytes of the landing page, the confirm page and the confirm answer as served. */
  webBytes: number;
  /** Bytes of log lines written per subscriber, the whole journey. */
  logBytesPerSubscriber: number;
  /** One dispatch that finds nobody due: its time (ms) and read units. */
  idleTick: { ms: number; readUnits: number; queries: number };
}

const usd = (n: number) => Math.round(n * 10_000) / 10_000;

/** The stack as `cdk synth` makes it (bundling skipped): what exists at rest. */
function synthesizedResources() {
  const assets = placeholderAssets(mkdtempSync(join(tmpdir(), "hh-bench-")));
  try {
    const app = new App({ context: { ...cdkContext(), "aws:cdk:bundling-stacks": [] } });
    const config: DeployConfig = {
      stage: "prod",
      useExistingIdentity: false,
      domain: "hips.example",
      senderEmail: "hello@hips.example",
      senderName: "Bench",
      alarmEmail: "alarms@hips.example",
    };
    const stack = new HealthyHipsStack(app, "HealthyHips-bench", {
      config,
      assetsDir: assets,
      mediaDir: join(PROJECT_ROOT, "content/media"),
    });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    return Object.entries(template.Resources);
  } finally {
    rmSync(assets, { recursive: true, force: true });
  }
}

const dirBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    const p = join(dir, e.name);
    return n + (e.isDirectory() ? dirBytes(p) : statSync(p).size);
  }, 0);

/**
 * The fixed monthly cost with nobody signing up, item by item, from the synthesized stack: its
 * secrets (and the keys secret its functions read, made outside it by `npm run keys`), alarms, customer keys, the dispatch schedule (each tick measured idle on the local
 * stack), the send queue's event source polling, stored assets. CloudFront, API Gateway, SES,
 * SNS and the log groups cost nothing without traffic.
 */
export function atRest(idle: CostInput["idleTick"]) {
  const resources = synthesizedResources();
  const count = (type: string) => resources.filter(([, r]) => r.Type === type).length;
  const memory = (name: string) => {
    const fn = resources.find(([id, r]) => r.Type === "AWS::Lambda::Function" && id.includes(name));
    return Number(fn?.[1].Properties?.MemorySize ?? 128) / 1024;
  };
  // The keys secret is made by `npm run keys`, outside the stack, and read by its functions.
  const readSecrets = new Set(
    resources
      .filter(([, r]) => r.Type === "AWS::Lambda::Function")
      .map(
        ([, r]) =>
          (r.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables,
      )
      .map((v) => v?.KEYS_SECRET_ID)
      .filter((v) => typeof v === "string"),
  ).size;
  const secrets = count("AWS::SecretsManager::Secret") + readSecrets;
  const ticks = ((HOURS_PER_MONTH * 3600) / TICK.toSeconds()) * count("AWS::Scheduler::Schedule");
  // Lambda polls an SQS event source with long polls while the queue is empty: five pollers,
  // 20-second polls (AWS Lambda developer guide, "Using Lambda with Amazon SQS").
  const polls = count("AWS::Lambda::EventSourceMapping") * 5 * 3 * 60 * HOURS_PER_MONTH;
  const items: [string, number][] = [
    [
      `${secrets} Secrets Manager secrets (${readSecrets} of them made outside the stack by npm run keys)`,
      secrets * PRICES.secretMonth,
    ],
    [
      `${count("AWS::CloudWatch::Alarm")} CloudWatch alarms`,
      count("AWS::CloudWatch::Alarm") * PRICES.alarmMonth,
    ],
    [`${count("AWS::KMS::Key")} KMS customer keys`, count("AWS::KMS::Key") * PRICES.kmsKeyMonth],
    [`${Math.round(ticks)} scheduled dispatches`, ticks * PRICES.schedulerInvocation],
    [
      "the dispatch function on each",
      ticks *
        (PRICES.lambdaRequest + (idle.ms / 1000) * memory("Dispatch") * PRICES.lambdaGbSecond),
    ],
    // An idle tick reads the queue's depth (and the SES quota) only once someone is due.
    ["its due-index queries", ticks * idle.readUnits * PRICES.dynamoRead],
    [`${Math.round(polls)} idle SQS polls by Lambda`, polls * PRICES.sqsRequest],
    [
      "stored media and guide",
      (dirBytes(join(PROJECT_ROOT, "content/media")) / 1e9) * PRICES.s3GbMonth,
    ],
  ];
  const total = items.reduce((n, [, v]) => n + v, 0);
  return { total, items, memory };
}

/**
 * The AWS cost per 1,000 subscribers who complete the sequence, from the requests and capacity
 * units the bench counted, and the fixed monthly cost at rest, at {@link PRICES}.
 */
export function costRows(m: CostInput): BenchRow[] {
  const rest = atRest(m.idleTick);
  const people = 1000;
  const emails = people * (1 + m.emailsPerSubscriber); // the confirmation + the sequence
  const steps = [m.signup.signup, m.signup.confirmation, m.signup.confirmPage, m.signup.confirm];
  const perDripEmail = {
    read: m.drip.consumed.read / m.drip.emails,
    write: m.drip.consumed.write / m.drip.emails,
  };
  // On AWS the send function writes its counters once per batch: at most three scopes (the
  // email, the day, all time) per batch of SEND_BATCH_SIZE, one unit each.
  const counterWrites = (3 / SEND_BATCH_SIZE) * m.emailsPerSubscriber;
  const readUnits =
    steps.reduce((n, s) => n + s.consumed.read, 0) + perDripEmail.read * m.emailsPerSubscriber;
  // Send jobs: the confirmation and the welcome arrive alone; lessons in batches of ten.
  const lessons = m.emailsPerSubscriber - 1;
  const sendInvocations = 2 + lessons / SEND_BATCH_SIZE;
  // Each send invocation claims a send slot and releases it: two small writes (not in the
  // local drip run, which has one sender and no slots).
  const slotWrites = 2 * sendInvocations;
  const writeUnits =
    steps.reduce((n, s) => n + s.consumed.write, 0) +
    perDripEmail.write * m.emailsPerSubscriber +
    counterWrites +
    slotWrites;
  // Enqueue (signup, kick, dispatch by tens), receive and delete (one each per batch).
  const sqs = 2 + lessons / 10 + 2 * sendInvocations;
  const webRequests = 4; // landing page, signup, confirm page, confirm
  const webMs = m.webMs.landing + m.webMs.signup + m.webMs.confirmPage + m.webMs.confirm;
  const gbs =
    (webMs / 1000) * rest.memory("Web") +
    ((m.sendJobMs * (1 + m.emailsPerSubscriber)) / 1000) * rest.memory("Send");
  const parts: [string, number][] = [
    ["SES", emails * PRICES.sesEmail],
    ["DynamoDB", people * (writeUnits * PRICES.dynamoWrite + readUnits * PRICES.dynamoRead)],
    ["SQS", people * sqs * PRICES.sqsRequest],
    [
      "Lambda",
      people *
        ((webRequests + sendInvocations) * PRICES.lambdaRequest + gbs * PRICES.lambdaGbSecond),
    ],
    [
      "API Gateway + CloudFront",
      people *
        (webRequests *
          (PRICES.httpApiRequest + PRICES.cloudFrontRequest + PRICES.cloudFrontFunction) +
          (m.webBytes / 1e9) * PRICES.cloudFrontGb),
    ],
    ["CloudWatch Logs", ((people * m.logBytesPerSubscriber) / 1e9) * PRICES.logsIngestGb],
  ];
  const variable = parts.reduce((n, [, v]) => n + v, 0);
  const ses = emails * PRICES.sesEmail;
  const where = `${PRICES.region} list prices (${PRICES.asOf}; ops/bench/prices.ts)`;
  return [
    {
      measure: `AWS cost per 1,000 subscribers completing the sequence (${emails} emails)`,
      project: usd(variable),
      baseline: usd(ses),
      ratio: Math.round((variable / ses) * 100) / 100,
      goal: "<= 1.1x the SES price of those emails",
      met: variable <= 1.1 * ses,
      unit: "USD",
      note: `${parts.map(([k, v]) => `${k} $${usd(v)}`).join(", ")}; ${round1(writeUnits)} write and ${round1(readUnits)} read units per subscriber; web requests beyond the four of the signup path (clicks, masterclass views) not included; ${where}`,
    },
    {
      measure: "AWS fixed cost per month at rest",
      project: Math.round(rest.total * 100) / 100,
      baseline: 2,
      ratio: Math.round((rest.total / 2) * 100) / 100,
      goal: "<= $2 a month",
      met: rest.total <= 2,
      unit: "USD",
      note: `${rest.items.map(([k, v]) => `${k} $${usd(v)}`).join(", ")}; CloudFront, API Gateway, SES, SNS and the log groups cost nothing idle; ${where}`,
    },
  ];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createTokens } from "../../functions/core/tokens";
import {
  bundleHandler,
  HANDLERS,
  type HandlerName,
  SDK_PACKAGES,
} from "../../infra/aws/bundle-budget";
import { ensureCourse, PROJECT_ROOT } from "../../infra/build/course";
import { startDynalite, startSes } from "../../infra/local/emulators";
import { ensureTable } from "../../infra/local/table";
import { startAwsStandIn } from "../../tests/infra/aws-standin";
import {
  httpEvent,
  sesAccount,
  sesBounceEvent,
  sqsEvent,
  TEST_ORIGIN_SECRET,
} from "../../tests/infra/events";
import { keysSecret, lambdaEnv } from "../../tests/infra/lambda-env";
import type { BenchMeasure, BenchRow } from "./row";

/**
 * Cold start of each Lambda bundle against the AWS SDK clients it uses, side by side: in fresh
 * Node processes, the bundle's import plus its first request (web: the landing page and one
 * signup through HTTP API v2 events; send: the queued confirmation of that signup as an SQS
 * event; dispatch: one scheduler tick; feedback: a bounce of that address), against importing
 * only the SDK packages the function calls. Requests go to dynalite, the SES emulator and the
 * stand-in the bundle tests use for SQS and Secrets Manager, all on 127.0.0.1. Several
 * repetitions, the two sides back to back and alternating which goes first. The ratio is the
 * median of each repetition's own ratio: the two runs of a pair meet the same load on a shared
 * machine, where medians taken apart can each meet another (the columns show those medians).
 *
 * A third run of each repetition measures the floor: the same SDK packages imported, then one
 * small request of each AWS service the bundle calls by the end of its first request (a
 * client built per service, as the bundle builds them) and, for the hono functions, a first
 * `Request`, `Headers` and `Response` (Node loads its fetch implementation on first use). That is
 * what the SDK and Node cost before any code of ours runs; the note gives its ratio to the same
 * baseline, paired the same way, so the row shows how much of the gap is ours.
 */

const REPETITIONS = 7;
const GOAL = 1.25;

const CHILD = fileURLToPath(new URL("./cold-start-child.mjs", import.meta.url));
const SITE = "https://bench.example";
const TABLE = "hh-cold-start";
const TOKEN_KEY = "t".repeat(64);
const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:hh-${name}`;
const run = promisify(execFile);

/**
 * The services each bundle calls by the end of its first request (import included), and
 * whether that request goes through hono (and so through Node's Request, Response, Headers).
 * Admin's sign-in page and an idle dispatch tick touch no queue.
 */
const FIRST_CALLS: Record<HandlerName, { calls: string[]; fetch: boolean }> = {
  web: { calls: ["secrets", "dynamodb", "sqs"], fetch: true },
  admin: { calls: ["secrets", "dynamodb"], fetch: true },
  send: { calls: ["secrets", "dynamodb", "ses", "sqs"], fetch: false },
  dispatch: { calls: ["dynamodb"], fetch: false },
  feedback: { calls: ["secrets", "dynamodb"], fetch: false },
};

interface ChildResult {
  importMs: number;
  totalMs: number;
  cpuMs: number;
  answers: unknown[];
}

/** One fresh `node` process running the child with `spec`. */
async function child(
  dir: string,
  spec: object,
  env: Record<string, string | undefined>,
): Promise<ChildResult> {
  const file = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const { stdout } = await run(process.execPath, [CHILD, file], { env, cwd: PROJECT_ROOT });
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as ChildResult;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const round = (n: number) => Math.round(n * 100) / 100;

export const measure: BenchMeasure = async () => {
  const dir = join(PROJECT_ROOT, ".build", "cold-start");
  rmSync(dir, { recursive: true, force: true });
  await ensureCourse();
  // Each bundle where the stack would put it: index.mjs, and course.json where it is read.
  // Inside the project, so `@aws-sdk/*` resolves to the same packages for both sides.
  const files = {} as Record<HandlerName, string>;
  for (const name of HANDLERS) {
    const out = join(dir, name);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "index.mjs"), (await bundleHandler(name)).code);
    copyFileSync(join(PROJECT_ROOT, ".build", "course.json"), join(out, "course.json"));
    files[name] = pathToFileURL(join(out, "index.mjs")).href;
  }

  process.env.AWS_SES_ACCOUNT = sesAccount(60);
  const db = await startDynalite(0);
  const ses = await startSes(0);
  const aws = await startAwsStandIn(
    { [ARN("keys")]: keysSecret(TOKEN_KEY, "i".repeat(64)), [ARN("origin")]: TEST_ORIGIN_SECRET },
    process.env.AWS_SES_ACCOUNT,
  );
  const dynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    await ensureTable(dynamo, TABLE);
    // The environment the stack gives each function (the tests' one builder), pointed at the
    // local stand-ins, with PATH and nothing else of this process's environment.
    const env = {
      PATH: process.env.PATH,
      ...lambdaEnv({
        aws: aws.endpoint,
        dynamodb: db.endpoint,
        table: TABLE,
        ses: ses.endpoint,
        secrets: { keys: ARN("keys"), origin: ARN("origin") },
        siteUrl: SITE,
        sender: { email: "hello@bench.example", name: "Bench" },
        sesSenders: 2,
        configurationSet: "hh-bench",
      }),
      // As the stack sets it (app-function.ts): a cold start writes the lines it would write.
      LOG_LEVEL: "INFO",
    };
    const tokens = createTokens(TOKEN_KEY);
    const runs = Object.fromEntries(
      HANDLERS.map((n) => [
        n,
        { bundle: [] as ChildResult[], sdk: [] as ChildResult[], floor: [] as ChildResult[] },
      ]),
    ) as Record<HandlerName, { bundle: ChildResult[]; sdk: ChildResult[]; floor: ChildResult[] }>;

    for (let rep = 0; rep < REPETITIONS; rep++) {
      const email = `cold-${rep}-${Date.now()}@bench.example`;
      // A form stamp as the landing page issues it, old enough to be taken for a person's.
      const now = Date.now();
      const stamp = tokens.sign({
        purpose: "stamp",
        sid: `bench${rep}`,
        expiresAt: now + 86_400_000 - 5000,
      });
      const viewer = { "x-viewer-ip": `203.0.113.${10 + rep}` };
      const before = aws.messages.length;
      const events: Record<HandlerName, () => unknown[]> = {
        web: () => [
          httpEvent("GET", "/", { headers: viewer }),
          httpEvent("POST", "/api/subscribe", {
            body: JSON.stringify({ email, firstName: "Ana", tz: "Europe/London", stamp }),
            contentType: "application/json",
            headers: viewer,
          }),
        ],
        admin: () => [httpEvent("GET", "/admin/login", { headers: viewer })],
        send: () => [sqsEvent(aws.messages.slice(before))],
        dispatch: () => [{}],
        feedback: () => [sesBounceEvent(email, "Permanent")],
      };
      for (const name of HANDLERS) {
        const bundleRun = () =>
          child(dir, { bundle: files[name], events: events[name]() }, env).then((r) =>
            runs[name].bundle.push(r),
          );
        const sdkRun = () =>
          child(dir, { packages: SDK_PACKAGES[name] }, env).then((r) => runs[name].sdk.push(r));
        // Alternate which side runs first, so neither always meets a warmer disk cache.
        if (rep % 2) {
          await sdkRun();
          await bundleRun();
        } else {
          await bundleRun();
          await sdkRun();
        }
        const floor = await child(dir, { packages: SDK_PACKAGES[name], ...FIRST_CALLS[name] }, env);
        runs[name].floor.push(floor);
      }
    }

    // What each first request must answer for the run to count: the real work, done.
    const right: Record<HandlerName, (answers: unknown[]) => boolean> = {
      web: (a) => JSON.stringify(a) === "[200,202]",
      admin: (a) => JSON.stringify(a) === "[200]",
      send: (a) => JSON.stringify(a) === "[0]",
      dispatch: (a) => (a[0] as { failed?: number } | undefined)?.failed === 0,
      feedback: (a) => JSON.stringify(a) === '[{"changed":1}]',
    };
    const rows: BenchRow[] = [];
    for (const name of HANDLERS) {
      const { bundle, sdk, floor } = runs[name];
      const floorWrong = floor.filter((r) => r.answers.some((a) => a !== 200)).length;
      const answers = JSON.stringify(bundle[0]?.answers);
      const wrong = bundle.filter((r) => !right[name](r.answers)).map((r) => r.answers);
      const importMs = round(median(bundle.map((r) => r.importMs)));
      // The wall clock, and this process's CPU time (on a machine shared with other work the
      // wall clock also counts the time others held the CPU).
      const clocks = [
        ["wall", (r: ChildResult) => r.totalMs, (r: ChildResult) => r.importMs],
        ["CPU", (r: ChildResult) => r.cpuMs, (r: ChildResult) => r.cpuMs],
      ] as const;
      for (const [clock, measured, base] of clocks) {
        const pairs = bundle.map((r, i) => measured(r) / base(sdk[i] as ChildResult));
        const ratio = median(pairs);
        const floors = floor.map((r, i) => measured(r) / base(sdk[i] as ChildResult));
        const first = FIRST_CALLS[name];
        rows.push({
          measure:
            clock === "wall"
              ? `${name} cold start, wall: import + first request (${answers}; import alone ${importMs} ms) vs importing its SDK clients`
              : `${name} cold start, CPU time: the same`,
          project: round(median(bundle.map(measured))),
          baseline: round(median(sdk.map(base))),
          ratio: round(ratio),
          goal: `<= ${GOAL}x`,
          met: ratio <= GOAL && wrong.length === 0,
          unit: "ms",
          note: [
            `median of ${pairs.length} paired runs' ratios (${pairs
              .map(round)
              .sort((a, b) => a - b)
              .join(", ")})`,
            `floor, the SDK packages imported and a first request of each service it calls (${first.calls.join(", ")})${first.fetch ? " and Node's first Request, Headers and Response" : ""}, no code of ours: ${round(median(floors))}x (${floors
              .map(round)
              .sort((a, b) => a - b)
              .join(", ")})${floorWrong ? `; ${floorWrong} floor runs failed a request` : ""}`,
            ...(wrong.length
              ? [
                  `${wrong.length} of ${bundle.length} runs answered wrongly: ${JSON.stringify(wrong)}`,
                ]
              : []),
          ].join("; "),
        });
      }
    }
    return rows;
  } finally {
    dynamo.destroy();
    for (const server of [aws, ses, db]) await server.close();
  }
};

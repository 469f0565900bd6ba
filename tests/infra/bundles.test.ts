import "./setup";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyResultV2, SQSBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore, type Store } from "../../functions/adapters/store";
import { sendSlotKey, subscriberKey } from "../../functions/adapters/table";
import { HALTED_RECEIVES } from "../../functions/aws/send-batch";
import { retryCeiling } from "../../functions/core/backoff";
import { createTokens, parseKeyRing, subscriberId } from "../../functions/core/tokens";
import { SendJobSchema } from "../../functions/funnel/jobs";
import { parseCompiledCourse } from "../../functions/mail/compiled";
import { bundleHandler, HANDLERS } from "../../infra/aws/bundle-budget";
import { placeholderAssets, synthBundles } from "../../infra/aws/bundles";
import { type HandlerName, PROJECT_ROOT } from "../../infra/aws/constructs/app-function";
import type { SubscriberTable } from "../../infra/aws/constructs/subscriber-table";
import { courseInputs, DEFAULT_CONTENT_DIR } from "../../infra/build/course";
import { type Emulator, startDynalite, startSes } from "../../infra/local/emulators";
import { ensureTable } from "../../infra/local/table";
import { header, inbox, linkIn } from "../integration/inbox";
import { TEST_CONFIG, testStack } from "./app";
import { startAwsStandIn } from "./aws-standin";
import { startDynamoRecorder } from "./dynamo-recorder";
import {
  httpEvent,
  sesAccount,
  sesBounceEvent,
  sesComplaintEvent,
  sqsEvent,
  TEST_ORIGIN_SECRET,
} from "./events";
import {
  keysSecret,
  LOCAL_CREDENTIALS,
  lambdaEnv,
  sendQueueUrl,
  TEST_KEYS_SECRET,
} from "./lambda-env";

/**
 * The real Lambda bundles, built by synthesising the stack with bundling on (exactly what
 * `cdk deploy` uploads), loaded by Node's own loader in a worker thread that sees only the
 * function environment and the AWS SDK (as the Lambda runtime provides), and invoked with
 * real-shaped events against the local emulators. A bundle that only works unbundled fails.
 */

const SITE = "https://hips.example";
const TABLE = "hh-bundle-test";
const ORIGIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hh-origin-MnOpQr";
const ID_KEY = "i".repeat(64);

let work: string;
let bundles: Record<HandlerName, string>;
let db: Emulator;
let ses: Emulator;
let aws: Awaited<ReturnType<typeof startAwsStandIn>>;
let dynamo: DynamoDBClient;
let store: Store;
let queueUrl: string;
/** One Lambda host per function (its instance), each behind its own DynamoDB recorder. */
const hosts = {} as Record<HandlerName, Worker>;
const recorders = {} as Record<HandlerName, Awaited<ReturnType<typeof startDynamoRecorder>>>;
/** A second Lambda host whose SES endpoint is the stand-in, which throttles every send. */
let throttledHost: Worker;
/** Hosts started by a test (instances of their own), stopped at the end. */
const extraHosts: Worker[] = [];
/** Starts one more instance of a function, with the functions' environment. */
let newInstance: () => Worker;
/** The secrets the stand-in answers with, read at each request (a test may rotate one). */
const secrets: Record<string, string> = {};
const TOKEN_KEY = "t".repeat(64);
const pending = new Map<number, (reply: { result?: unknown; error?: { name: string } }) => void>();
let nextId = 0;

/** Invokes one bundle's `handler(event, context)` in a Lambda host worker. */
function invoke<T>(fn: HandlerName, event: unknown, on: Worker = hosts[fn]): Promise<T> {
  const id = nextId++;
  const file = pathToFileURL(join(bundles[fn], "index.mjs")).href;
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) =>
      reply.error
        ? reject(Object.assign(new Error(JSON.stringify(reply.error)), reply.error))
        : resolve(reply.result as T),
    );
    on.postMessage({ id, file, event, functionName: `HealthyHips-${fn}` });
  });
}

/** What a Lambda host has loaded of Node's fetch implementation (tests/infra/lambda-host.mjs). */
function fetchState(fn: HandlerName): Promise<{ undici: boolean; lightResponse: boolean }> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, (reply) =>
      resolve(reply.result as { undici: boolean; lightResponse: boolean }),
    );
    hosts[fn].postMessage({ id, probe: true });
  });
}

type HttpResult = Exclude<APIGatewayProxyResultV2, string> & {
  body: string;
  statusCode: number;
  cookies?: string[];
};
const web = (method: string, path: string, body?: unknown, type = "application/json") =>
  http("web", method, path, body, type);
const http = (
  fn: "web" | "admin",
  method: string,
  path: string,
  body?: unknown,
  type = "application/json",
  headers?: Record<string, string>,
) =>
  invoke<HttpResult>(
    fn,
    httpEvent(method, path, {
      headers,
      body:
        body === undefined
          ? undefined
          : type === "application/json"
            ? JSON.stringify(body)
            : String(body),
      contentType: body === undefined && method === "GET" ? undefined : type,
    }),
  );

const sidOf = (email: string) => subscriberId(ID_KEY, email.toLowerCase());
const jobsSince = (n: number) => aws.messages.slice(n);

/** A form stamp from the web bundle's documented endpoint, old enough to be accepted. */
let stamp: string;
async function ripeStamp() {
  if (!stamp) {
    stamp = (JSON.parse((await web("GET", "/api/stamp")).body) as { stamp: string }).stamp;
    await new Promise((r) => setTimeout(r, 1100));
  }
  return stamp;
}

/** Runs the jobs enqueued since `before` through the send bundle (what SQS would do). */
async function deliver(before: number) {
  const jobs = jobsSince(before);
  if (jobs.length) await invoke<SQSBatchResponse>("send", sqsEvent(jobs));
}

/** A JSON signup through the web bundle, its queued confirmation delivered by the send bundle. */
async function signup(body: Record<string, unknown>) {
  const before = aws.messages.length;
  const res = await web("POST", "/api/subscribe", { ...body, stamp: await ripeStamp() });
  await deliver(before);
  return res;
}

/** Signs up and confirms through the web bundle; returns the jobs the confirm enqueued. */
async function signUpAndConfirm(email: string) {
  expect((await signup({ email, firstName: "Ana" })).statusCode).toBe(202);
  const [confirmation] = await inbox(ses.endpoint, email);
  const url = new URL(linkIn(confirmation?.body.html ?? "", `${SITE}/confirm?t=`));
  const before = aws.messages.length;
  const res = await web("POST", `/confirm${url.search}`, "", "application/x-www-form-urlencoded");
  expect(res.statusCode).toBe(303);
  return jobsSince(before);
}

beforeAll(async () => {
  // The send quota the SES emulator reports to GetAccount (the senders pace to a share of it).
  process.env.AWS_SES_ACCOUNT = sesAccount(60);
  work = mkdtempSync(join(tmpdir(), "hh-bundles-"));
  const outdir = join(work, "cdk.out");
  bundles = synthBundles({
    outdir,
    assetsDir: placeholderAssets(join(work, "assets")),
    config: TEST_CONFIG,
  });
  // The Lambda runtime provides the AWS SDK v3, and nothing else outside the bundle.
  mkdirSync(join(outdir, "node_modules"));
  symlinkSync(join(PROJECT_ROOT, "node_modules/@aws-sdk"), join(outdir, "node_modules/@aws-sdk"));

  db = await startDynalite(0);
  ses = await startSes(0);
  secrets[TEST_KEYS_SECRET] = keysSecret(TOKEN_KEY, ID_KEY);
  secrets[ORIGIN_ARN] = TEST_ORIGIN_SECRET;
  aws = await startAwsStandIn(secrets, process.env.AWS_SES_ACCOUNT);
  queueUrl = sendQueueUrl(aws.endpoint);
  dynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  await ensureTable(dynamo, TABLE);
  store = createStore(DynamoDBDocumentClient.from(dynamo), TABLE);

  const functionEnv = {
    ...process.env,
    ...lambdaEnv({
      aws: aws.endpoint,
      dynamodb: db.endpoint,
      table: TABLE,
      ses: ses.endpoint,
      secrets: { keys: TEST_KEYS_SECRET, origin: ORIGIN_ARN },
      siteUrl: SITE,
      sender: {
        email: TEST_CONFIG.senderEmail,
        name: TEST_CONFIG.senderName,
        replyTo: TEST_CONFIG.replyTo,
      },
    }),
  };
  const startHost = (env: Record<string, string | undefined>) => {
    const worker = new Worker(new URL("./lambda-host.mjs", import.meta.url), { env });
    worker.on("message", (reply: { id: number; result?: unknown; error?: { name: string } }) => {
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    });
    return worker;
  };
  for (const fn of HANDLERS) {
    recorders[fn] = await startDynamoRecorder(db.endpoint);
    hosts[fn] = startHost({ ...functionEnv, AWS_ENDPOINT_URL_DYNAMODB: recorders[fn].endpoint });
  }
  newInstance = () => {
    const worker = startHost({ ...functionEnv, AWS_ENDPOINT_URL_DYNAMODB: recorders.web.endpoint });
    extraHosts.push(worker);
    return worker;
  };
  throttledHost = startHost({
    ...functionEnv,
    AWS_ENDPOINT_URL_DYNAMODB: recorders.send.endpoint,
    AWS_ENDPOINT_URL_SESV2: aws.endpoint,
  });
}, 120_000);

afterAll(async () => {
  for (const worker of Object.values(hosts)) await worker.terminate();
  await throttledHost?.terminate();
  for (const worker of extraHosts) await worker.terminate();
  for (const recorder of Object.values(recorders)) await recorder.close();
  dynamo?.destroy();
  for (const server of [aws, ses, db]) await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the bundles as deployed", () => {
  it("are ESM bundles; only web, admin and send carry the compiled course, none React or parsers", () => {
    for (const fn of ["web", "admin", "send"] as const) {
      expect(readdirSync(bundles[fn]).sort()).toEqual(["course.json", "index.mjs"]);
      const compiled = parseCompiledCourse(readFileSync(join(bundles[fn], "course.json"), "utf8"));
      expect(compiled.inputs).toBe(courseInputs(DEFAULT_CONTENT_DIR));
    }
    for (const fn of ["dispatch", "feedback"] as const)
      expect(readdirSync(bundles[fn])).toEqual(["index.mjs"]);
    for (const fn of HANDLERS) {
      const code = readFileSync(join(bundles[fn], "index.mjs"), "utf8");
      // react-dom's server renderer, marked, the YAML parsers and gray-matter, by their marks.
      for (const mark of ["renderToReadableStream", "marked()", "YAMLParseError", "gray-matter"])
        expect(code.includes(mark), `${fn} carries ${mark}`).toBe(false);
    }
  });

  it("are byte for byte what the size budgets measure (esbuild with the same settings)", async () => {
    for (const fn of HANDLERS) {
      const deployed = readFileSync(join(bundles[fn], "index.mjs"), "utf8");
      expect(deployed === (await bundleHandler(fn)).code, fn).toBe(true);
    }
  });

  it("web answers the health check with a read of the table", async () => {
    const res = await web("GET", "/healthz");
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
  });

  it("web renders the landing page from the bundled content", async () => {
    const res = await web("GET", "/");
    expect(res.statusCode).toBe(200);
    expect(res.headers?.["content-type"]).toMatch(/text\/html/);
    expect(res.body).toContain("Yoga for Healthy Hips");
  });

  it("web carries no owner's area: /admin is the admin function's (a 404 here)", async () => {
    for (const path of ["/admin", "/admin/login"])
      expect((await web("GET", path)).statusCode).toBe(404);
  });

  it("web leaves the guide to CloudFront: a 404, not an error", async () => {
    const res = await web("GET", "/guide/5-poses-for-healthy-hips.pdf");
    expect(res.statusCode).toBe(404);
  });

  it("web: a signup queues the confirmation; send mails it through SES, with links to the site URL", async () => {
    const before = aws.messages.length;
    const res = await web("POST", "/api/subscribe", {
      email: "ana@example.com",
      firstName: "Ana",
      stamp: await ripeStamp(),
    });
    expect(res.statusCode).toBe(202);
    expect(await inbox(ses.endpoint, "ana@example.com")).toHaveLength(0);
    expect(jobsSince(before).map((j) => JSON.parse(j))).toEqual([
      // The signup is counted by the send function, from the time the job carries.
      { kind: "confirm", sid: sidOf("ana@example.com"), signedUpAt: expect.any(Number) },
    ]);
    await deliver(before);
    const [confirmation, ...others] = await inbox(ses.endpoint, "ana@example.com");
    expect(others).toHaveLength(0);
    expect(confirmation?.from).toContain("hello@hips.example");
    // Nothing the visitor typed goes into mail before they confirm.
    expect(confirmation?.body.text).toContain("Hi there,");
    expect(confirmation?.body.text).not.toContain("Ana");
    expect(linkIn(confirmation?.body.html ?? "", `${SITE}/confirm?t=`)).toBeTruthy();
    const sub = await store.get(sidOf("ana@example.com"));
    expect(sub?.status).toBe("pending");
    expect(sub?.consent.ip).toBe("203.0.113.7");
    // The send function wrote the signup's counts before its invocation ended.
    const counted = await store.counters.read(["all", "state"]);
    expect(counted.get("all")?.signups).toBe(1);
    expect(counted.get("state")?.pending).toBe(1);
  });

  it("web: pages and a JSON signup run on the light fetch classes; Node's (undici) is never loaded", async () => {
    // A cold start's cost: Node loads its whole fetch implementation on first use.
    expect(await fetchState("web")).toEqual({ undici: false, lightResponse: true });
  });

  it("web: a plain form post (base64 body, as API Gateway may pass it) redirects to the thanks page", async () => {
    const form = `email=dee%40example.com&firstName=Dee&tz=Europe%2FLondon&stamp=${await ripeStamp()}`;
    const before = aws.messages.length;
    const res = await invoke<HttpResult>(
      "web",
      httpEvent("POST", "/api/subscribe", {
        body: form,
        contentType: "application/x-www-form-urlencoded",
        base64: true,
      }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe("/thanks");
    await deliver(before);
    expect(await inbox(ses.endpoint, "dee@example.com")).toHaveLength(1);
    // The form was read with Node's classes, loaded for it; the light ones stay in place.
    expect(await fetchState("web")).toEqual({ undici: true, lightResponse: true });
  });

  it("web: confirming makes the subscriber active and enqueues the welcome job at once", async () => {
    const [confirmation] = await inbox(ses.endpoint, "ana@example.com");
    const url = new URL(linkIn(confirmation?.body.html ?? "", `${SITE}/confirm?t=`));
    const page = await web("GET", `/confirm${url.search}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('method="post"');
    expect((await store.get(sidOf("ana@example.com")))?.status).toBe("pending");

    const before = aws.messages.length;
    const res = await web("POST", `/confirm${url.search}`, "", "application/x-www-form-urlencoded");
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe("/masterclass?confirmed=1");
    const sub = await store.get(sidOf("ana@example.com"));
    expect(sub?.status).toBe("active");
    const jobs = jobsSince(before);
    expect(jobs).toHaveLength(1);
    const job = SendJobSchema.parse(JSON.parse(jobs[0] as string));
    expect(job).toEqual({ kind: "step", sid: sub?.sid, email: "welcome", lease: sub?.lease });
    expect(aws.calls).toContain("AmazonSQS.SendMessageBatch");
  });

  it("send: the welcome job renders, goes out through SES with one-click unsubscribe, and advances", async () => {
    const sid = sidOf("ana@example.com");
    const job = aws.messages.at(-1) as string;
    const out = await invoke<SQSBatchResponse>("send", sqsEvent([job]));
    expect(out.batchItemFailures).toEqual([]);
    const mail = await inbox(ses.endpoint, "ana@example.com");
    expect(mail).toHaveLength(2);
    const welcome = mail[1];
    expect(header(welcome as never, "List-Unsubscribe")).toMatch(new RegExp(`^<${SITE}/u\\?t=`));
    expect(header(welcome as never, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect(welcome?.body.html).toContain(`${SITE}/c/`);
    const sub = await store.get(sid);
    expect(sub?.received).toEqual(["welcome"]);
    expect(sub?.sends).toHaveLength(1);
    expect(sub?.lease).toBeUndefined();

    // The same message delivered again (SQS is at least once) sends nothing more.
    expect((await invoke<SQSBatchResponse>("send", sqsEvent([job]))).batchItemFailures).toEqual([]);
    expect(await inbox(ses.endpoint, "ana@example.com")).toHaveLength(2);
  });

  it("send: a malformed job fails the invocation, so the errors alarm sees it", async () => {
    const event = sqsEvent([
      '{"sid":"x","email":0}',
      JSON.stringify({ kind: "step", sid: "nobody", email: "welcome", lease: "aaaaaaaaaaaa" }),
    ]);
    await expect(invoke<SQSBatchResponse>("send", event)).rejects.toMatchObject({
      name: "SendBatchError",
    });
  });

  it("send: a send SES throttles is reported failed and comes back after a backoff for its receive count", async () => {
    const [job] = await signUpAndConfirm("eve@example.com");
    // A stale job (skipped, so a success) keeps the batch from failing as a whole.
    const stale = JSON.stringify({
      kind: "step",
      sid: "nobody",
      email: "welcome",
      lease: "aaaaaaaaaaaa",
    });
    const event = sqsEvent([job as string, stale], 3);
    const before = aws.visibilityChanges.length;
    const out = await invoke<SQSBatchResponse>("send", event, throttledHost);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(aws.throttled).toContain("eve@example.com");

    const changes = aws.visibilityChanges.slice(before);
    expect(changes).toHaveLength(1);
    const [change] = changes;
    expect(change?.QueueUrl).toBe(queueUrl);
    expect(change?.ReceiptHandle).toBe(event.Records[0]?.receiptHandle);
    // Third delivery: up to 10 s * 2^2, full jitter, whole seconds.
    expect(Number.isInteger(change?.VisibilityTimeout)).toBe(true);
    expect(change?.VisibilityTimeout).toBeGreaterThanOrEqual(0);
    expect(change?.VisibilityTimeout).toBeLessThanOrEqual(retryCeiling(3));
    expect(retryCeiling(3)).toBe(40);
    // Nothing was recorded: the claim still holds for the retry.
    const sub = await store.get(sidOf("eve@example.com"));
    expect(sub?.received).toEqual([]);
    expect(sub?.lease).toBe(
      (SendJobSchema.parse(JSON.parse(job as string)) as { lease?: string }).lease,
    );
  });

  it("send: if SQS refuses the backoff, the throttled send is still reported failed", async () => {
    const job = aws.messages.at(-1) as string;
    const stale = JSON.stringify({
      kind: "step",
      sid: "nobody",
      email: "welcome",
      lease: "aaaaaaaaaaaa",
    });
    const event = sqsEvent([job, stale], 4);
    const [before, changes] = [aws.calls.length, aws.visibilityChanges.length];
    aws.faults.visibilityRefusals = 1;
    const out = await invoke<SQSBatchResponse>("send", event, throttledHost);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(aws.faults.visibilityRefusals).toBe(0);
    expect(aws.calls.slice(before)).toContain("AmazonSQS.ChangeMessageVisibility");
    expect(aws.visibilityChanges).toHaveLength(changes);

    // The retry, once SES accepts again, sends it and advances.
    expect((await invoke<SQSBatchResponse>("send", sqsEvent([job], 5))).batchItemFailures).toEqual(
      [],
    );
    expect(await inbox(ses.endpoint, "eve@example.com")).toHaveLength(2);
    expect((await store.get(sidOf("eve@example.com")))?.received).toEqual(["welcome"]);
  });

  /** Every send slot (the environment's SES_SENDERS: 3) held by another instance until `leaseUntil`. */
  const holdSendSlots = (leaseUntil: number) =>
    Promise.all(
      [0, 1, 2].map((index) =>
        DynamoDBDocumentClient.from(dynamo).send(
          new UpdateCommand({
            TableName: TABLE,
            Key: sendSlotKey(index),
            UpdateExpression: "SET holder = :other, leaseUntil = :lease",
            ExpressionAttributeValues: { ":other": "another-instance", ":lease": leaseUntil },
          }),
        ),
      ),
    );

  it("send: with every send slot held by other instances, the batch is given back, nothing sent, no error", async () => {
    await holdSendSlots(Date.now() + 60_000);
    try {
      const job = JSON.stringify({ kind: "confirm", sid: sidOf("nobody@example.com") });
      const changes = aws.visibilityChanges.length;
      const event = sqsEvent([job]);
      // It looks for a slot for half the invocation's remaining time (the host says 10 s).
      const out = await invoke<SQSBatchResponse>("send", event);
      expect(out.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
      expect(aws.visibilityChanges.length).toBe(changes + 1);
      expect(await inbox(ses.endpoint, "nobody@example.com")).toEqual([]);
    } finally {
      await holdSendSlots(0);
    }
  });

  it("send: a confirmation that keeps finding no send slot goes back on the queue as a new message, never to the dead-letter queue", async () => {
    await holdSendSlots(Date.now() + 60_000);
    try {
      const job = JSON.stringify({ kind: "confirm", sid: sidOf("patient@example.com") });
      const sent = aws.delayed.length;
      const changes = aws.visibilityChanges.length;
      // Its third delivery: two more would park it in the dead-letter queue.
      const out = await invoke<SQSBatchResponse>("send", sqsEvent([job], HALTED_RECEIVES));
      expect(out.batchItemFailures).toEqual([]);
      const requeued = aws.delayed.slice(sent);
      expect(requeued).toEqual([
        { QueueUrl: queueUrl, MessageBody: job, DelaySeconds: expect.any(Number) },
      ]);
      expect(requeued[0]?.DelaySeconds).toBeGreaterThan(0);
      expect(requeued[0]?.DelaySeconds).toBeLessThanOrEqual(900);
      expect(aws.visibilityChanges.length).toBe(changes);
      expect(await inbox(ses.endpoint, "patient@example.com")).toEqual([]);
    } finally {
      await holdSendSlots(0);
    }
  });

  it("dispatch: claims the subscribers that are due and enqueues their next lesson", async () => {
    const sid = sidOf("ana@example.com");
    await DynamoDBDocumentClient.from(dynamo).send(
      new UpdateCommand({
        TableName: TABLE,
        Key: subscriberKey(sid),
        UpdateExpression: "SET dueAt = :past",
        ExpressionAttributeValues: { ":past": "2000-01-01T00:00:00.000Z" },
      }),
    );
    const before = aws.messages.length;
    expect(await invoke("dispatch", { source: "aws.scheduler" })).toMatchObject({ claimed: 1 });
    const [job] = jobsSince(before).map((m) => SendJobSchema.parse(JSON.parse(m)));
    expect(job).toMatchObject({ sid, email: "hips-and-your-back" });
    expect(await invoke("dispatch", {})).toMatchObject({ claimed: 0 });

    expect(
      (await invoke<SQSBatchResponse>("send", sqsEvent([JSON.stringify(job)]))).batchItemFailures,
    ).toEqual([]);
    const mail = await inbox(ses.endpoint, "ana@example.com");
    expect(mail).toHaveLength(3);
    expect((await store.get(sid))?.received).toEqual(["welcome", "hips-and-your-back"]);
  });

  it("feedback: a permanent bounce marks the subscriber bounced, once", async () => {
    const sid = sidOf("ana@example.com");
    const event = sesBounceEvent("ana@example.com", "Permanent");
    expect(await invoke("feedback", event)).toEqual({ changed: 1 });
    const sub = await store.get(sid);
    expect(sub?.status).toBe("bounced");
    expect(sub?.dueAt).toBeUndefined();
    expect(await invoke("feedback", event)).toEqual({ changed: 0 });
    expect((await store.get(sid))?.version).toBe(sub?.version);
  });

  it("feedback: a transient bounce changes nothing", async () => {
    await signUpAndConfirm("bea@example.com");
    const before = await store.get(sidOf("bea@example.com"));
    expect(before?.status).toBe("active");
    expect(await invoke("feedback", sesBounceEvent("bea@example.com", "Transient"))).toEqual({
      changed: 0,
    });
    expect(await store.get(sidOf("bea@example.com"))).toEqual(before);
  });

  it("feedback: a complaint marks the subscriber complained; the address's case does not matter", async () => {
    await signUpAndConfirm("cy@example.com");
    expect(await invoke("feedback", sesComplaintEvent("Cy@Example.com"))).toEqual({ changed: 1 });
    expect((await store.get(sidOf("cy@example.com")))?.status).toBe("complained");
    expect(await invoke("feedback", sesComplaintEvent("cy@example.com"))).toEqual({ changed: 0 });
  });

  it("feedback: an event that is not an SES bounce or complaint is refused, naming no address", async () => {
    const wrong = { ...sesBounceEvent("bea@example.com", "Permanent"), source: "aws.s3" };
    await expect(invoke("feedback", wrong)).rejects.toMatchObject({ name: "SesEventError" });
    await expect(invoke("feedback", { detail: {} })).rejects.toThrow(/not an SES bounce/);
    expect((await store.get(sidOf("bea@example.com")))?.status).toBe("active");
  });

  it("admin: an owner signs in by the emailed link, sees the dashboard and exports the list", async () => {
    const owner = "clara@yogaforhealthyhips.com";
    const form = "application/x-www-form-urlencoded";
    const fromSite = { origin: SITE };
    expect((await http("admin", "GET", "/admin")).headers?.location).toBe("/admin/login");
    // A page's cold start loads none of Node's fetch implementation (undici).
    expect(await fetchState("admin")).toEqual({ undici: false, lightResponse: true });
    const before = aws.messages.length;
    const asked = await http(
      "admin",
      "POST",
      "/admin/login",
      `email=${encodeURIComponent(owner)}`,
      form,
      fromSite,
    );
    expect(asked.statusCode).toBe(200);
    // Queued in the urgent lane, with a wake job on the send queue; the send bundle sends it.
    await deliver(before);
    const [mail] = await inbox(ses.endpoint, owner);
    const t = new URL(linkIn(mail?.body.html ?? "", `${SITE}/admin/login?t=`)).searchParams.get(
      "t",
    );
    const signedIn = await http("admin", "POST", "/admin/login/complete", `t=${t}`, form, fromSite);
    expect(signedIn.statusCode).toBe(303);
    const cookie = signedIn.cookies?.[0]?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^hh_owner=/);

    // The report: counters (BatchGet), the due index's count, the dead-letter queue's depth.
    const dashboard = await http("admin", "GET", "/admin", undefined, undefined, { cookie });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain("Signed up");
    expect(aws.calls).toContain("AmazonSQS.GetQueueAttributes");
    // The export: the whole list (a Scan).
    const csv = await http("admin", "GET", "/admin/subscribers.csv", undefined, undefined, {
      cookie,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain("ana@example.com");
    // The forms were read with Node's classes, loaded for them; the light ones stay in place.
    expect(await fetchState("admin")).toEqual({ undici: true, lightResponse: true });
  });

  it("web: links and form stamps signed with a key rotated in after an instance started are honoured without a restart", async () => {
    // Two warm instances, each started (and so its keys read) before the rotation.
    const [forLinks, forStamps] = [newInstance(), newInstance()];
    const get = (on: Worker, path: string) => invoke<HttpResult>("web", httpEvent("GET", path), on);
    for (const on of [forLinks, forStamps])
      expect((await get(on, "/healthz")).statusCode).toBe(200);
    const email = "rotated.key@example.com";
    expect((await signup({ email, firstName: "Ana" })).statusCode).toBe(202);
    const sub = await store.get(sidOf(email));

    // The owner rotates the link key (README, "Rotating the link key"); an instance started
    // after it (a send function signing a confirmation, another web instance issuing a form
    // stamp) signs with the new key at once.
    const ring = JSON.stringify({
      current: "n".repeat(64),
      previous: TOKEN_KEY,
      rotatedAt: new Date().toISOString(),
    });
    secrets[TEST_KEYS_SECRET] = keysSecret(ring, ID_KEY);
    const rotated = createTokens(parseKeyRing(ring));
    const now = Date.now();
    const confirm = rotated.sign({
      purpose: "confirm",
      sid: sub?.sid as string,
      generation: sub?.generation,
      expiresAt: now + 86_400_000,
    });
    const page = await get(forLinks, `/confirm?t=${confirm}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('method="post"');

    // A stamp issued 2 s ago by a new instance: the signup is taken (its confirmation queued),
    // not refused softly as a bot's.
    const stampNow = rotated.sign({
      purpose: "stamp",
      sid: "rotatedstamp1",
      expiresAt: now - 2000 + 86_400_000,
    });
    const before = aws.messages.length;
    const res = await invoke<HttpResult>(
      "web",
      httpEvent("POST", "/api/subscribe", {
        body: JSON.stringify({ email: "after.rotation@example.com", stamp: stampNow }),
        contentType: "application/json",
      }),
      forStamps,
    );
    expect(res.statusCode).toBe(202);
    expect(jobsSince(before).map((j) => JSON.parse(j).kind)).toEqual(["confirm"]);
    await deliver(before);
  });

  it("every DynamoDB action a bundle called above is granted to its function, on the table or index it named", () => {
    const { stack, template } = testStack();
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const tableId = stack.getLogicalId(
      (stack.node.findChild("Subscribers") as SubscriberTable).table.node.defaultChild as never,
    );
    /** "action on" pairs a function's role allows on the subscriber table and its indexes. */
    const granted = (fn: HandlerName) => {
      const props = resources[stack.getLogicalId(stack.functions[fn].node.defaultChild as never)]
        ?.Properties as { Role: { "Fn::GetAtt": [string] } };
      const role = props.Role["Fn::GetAtt"][0];
      const out = new Set<string>();
      for (const p of Object.values(resources)) {
        if (p.Type !== "AWS::IAM::Policy") continue;
        if (!(p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role)) continue;
        const doc = p.Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        };
        for (const st of doc.Statement) {
          for (const r of ([] as unknown[]).concat(st.Resource)) {
            const text = JSON.stringify(r);
            if (!text.includes(tableId)) continue;
            const on = /\/index\/([^"]+)"/.exec(text)?.[1];
            for (const a of ([] as string[]).concat(st.Action))
              out.add(`${a} ${on ? `index/${on}` : "table"}`);
          }
        }
      }
      return out;
    };
    // Each send invocation claimed a send slot and released it: conditional writes on the slot
    // items alone, covered by the send function's table grant (checked below like the rest).
    const slotCalls = recorders.send.calls.filter((c) => c.item === "SENDSLOT");
    expect([...new Set(slotCalls.map((c) => `${c.action} ${c.on}`))]).toEqual([
      "dynamodb:UpdateItem table",
    ]);
    expect(slotCalls.length).toBeGreaterThanOrEqual(2);
    for (const fn of HANDLERS.filter((f) => f !== "send")) {
      expect(
        recorders[fn].calls.filter((c) => c.item === "SENDSLOT"),
        fn,
      ).toEqual([]);
    }
    for (const fn of HANDLERS) {
      const used = [...new Set(recorders[fn].calls.map((c) => `${c.action} ${c.on}`))].sort();
      expect(used.length, `${fn} made no DynamoDB call in this test`).toBeGreaterThan(0);
      const allowed = granted(fn);
      expect(
        used.filter((u) => !allowed.has(u)),
        fn,
      ).toEqual([]);
    }
  });
});

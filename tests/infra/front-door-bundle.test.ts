import "./setup";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyResultV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore, type Store } from "../../functions/adapters/store";
import { subscriberId } from "../../functions/core/tokens";
import { bundleHandler } from "../../infra/aws/bundle-budget";
import { PROJECT_ROOT } from "../../infra/aws/constructs/app-function";
import { COURSE_FILE } from "../../infra/build/course";
import { type Emulator, startDynalite, startSes } from "../../infra/local/emulators";
import { ensureTable } from "../../infra/local/table";
import { inbox } from "../integration/inbox";
import { TEST_CONFIG } from "./app";
import { type StandInSecret, startAwsStandIn } from "./aws-standin";
import { httpEvent, sesAccount } from "./events";
import { keysSecret, LOCAL_CREDENTIALS, lambdaEnv, TEST_KEYS_SECRET } from "./lambda-env";

/**
 * The web Lambda bundle (esbuild with the stack's settings: the same bytes `cdk deploy`
 * uploads, as the bundles test checks) behind API Gateway, called the two ways an attacker
 * can: through CloudFront (which adds the origin secret and the viewer's address) and straight
 * at the execute-api address (no secret, whatever headers the caller likes). A call that did
 * not come through CloudFront is refused and changes nothing.
 */

const TABLE = "hh-front-door";
const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`;
const ORIGIN_ARN = ARN("hh-origin-AbCdEf");
const ID_KEY = "i".repeat(64);
/** Three generations of the origin secret: before, during and after one rotation. */
const FIRST = "a".repeat(40) + "1".repeat(24);
const SECOND = "b".repeat(40) + "2".repeat(24);
/** The current value with its last character changed: same length, one character wrong. */
const NEAR_MISS = `${FIRST.slice(0, -1)}x`;

let work: string;
/** Each HTTP function's bundle file: the public web and the owner's area. */
const bundles = { web: "", admin: "" };
let db: Emulator;
let ses: Emulator;
let aws: Awaited<ReturnType<typeof startAwsStandIn>>;
let secrets: Record<string, StandInSecret>;
let store: Store;
let dynamo: DynamoDBClient;
let functionEnv: Record<string, string | undefined>;
const hosts: Worker[] = [];
let nextId = 0;
const pending = new Map<number, (reply: { result?: unknown; error?: { name: string } }) => void>();

/** A fresh Lambda instance (its own cold start, so it reads the secret as it is now). */
function coldStart(env = functionEnv): Worker {
  const worker = new Worker(new URL("./lambda-host.mjs", import.meta.url), { env });
  worker.on("message", (reply: { id: number; result?: unknown; error?: { name: string } }) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  hosts.push(worker);
  return worker;
}

type HttpResult = Exclude<APIGatewayProxyResultV2, string> & { body: string; statusCode: number };
function invoke(on: Worker, event: unknown, fn: keyof typeof bundles = "web"): Promise<HttpResult> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) =>
      reply.error
        ? reject(Object.assign(new Error(JSON.stringify(reply.error)), reply.error))
        : resolve(reply.result as HttpResult),
    );
    on.postMessage({ id, file: pathToFileURL(bundles[fn]).href, event, functionName: fn });
  });
}

/** `headers` as the caller sends them; "x-origin-verify" is what CloudFront would add. */
const get = (
  on: Worker,
  path: string,
  headers: Record<string, string | undefined>,
  fn: keyof typeof bundles = "web",
) => invoke(on, httpEvent("GET", path, { headers }), fn);
const signup = (
  on: Worker,
  email: string,
  stamp: string,
  headers: Record<string, string | undefined>,
) =>
  invoke(
    on,
    httpEvent("POST", "/api/subscribe", {
      body: JSON.stringify({ email, stamp }),
      contentType: "application/json",
      headers,
    }),
  );

/** CloudFront's request with the given secret; undefined: a direct call, no secret at all. */
const through = (secret: string | undefined, viewerIp = "203.0.113.7") => ({
  "x-origin-verify": secret,
  "x-viewer-ip": viewerIp,
});

/** A form stamp from the app (through the front door), old enough to be accepted. */
async function ripeStamp(on: Worker, secret: string) {
  const res = await get(on, "/api/stamp", through(secret));
  expect(res.statusCode).toBe(200);
  await new Promise((r) => setTimeout(r, 1100));
  return (JSON.parse(res.body) as { stamp: string }).stamp;
}

const sidOf = (email: string) => subscriberId(ID_KEY, email);

/** Proof that nothing happened for `email`: no record, no job queued, no mail. */
async function untouched(email: string, messagesBefore: number) {
  expect(await store.get(sidOf(email))).toBeUndefined();
  expect(aws.messages.length).toBe(messagesBefore);
  expect(await inbox(ses.endpoint, email)).toHaveLength(0);
}

let host: Worker;
let stamp: string;

beforeAll(async () => {
  process.env.AWS_SES_ACCOUNT = sesAccount(60);
  work = mkdtempSync(join(tmpdir(), "hh-front-door-"));
  for (const fn of ["web", "admin"] as const) {
    const dir = join(work, fn);
    mkdirSync(dir);
    bundles[fn] = join(dir, "index.mjs");
    writeFileSync(bundles[fn], (await bundleHandler(fn)).code);
    copyFileSync(COURSE_FILE, join(dir, "course.json"));
  }
  // The Lambda runtime provides the AWS SDK v3, and nothing else outside the bundle.
  mkdirSync(join(work, "node_modules"));
  symlinkSync(join(PROJECT_ROOT, "node_modules/@aws-sdk"), join(work, "node_modules/@aws-sdk"));

  db = await startDynalite(0);
  ses = await startSes(0);
  secrets = {
    [TEST_KEYS_SECRET]: keysSecret("t".repeat(64), ID_KEY),
    [ORIGIN_ARN]: { AWSCURRENT: FIRST },
  };
  aws = await startAwsStandIn(secrets, process.env.AWS_SES_ACCOUNT);
  dynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  await ensureTable(dynamo, TABLE);
  store = createStore(DynamoDBDocumentClient.from(dynamo), TABLE);
  functionEnv = {
    PATH: process.env.PATH,
    AWS_SES_ACCOUNT: process.env.AWS_SES_ACCOUNT,
    ...lambdaEnv({
      aws: aws.endpoint,
      dynamodb: db.endpoint,
      table: TABLE,
      ses: ses.endpoint,
      secrets: { keys: TEST_KEYS_SECRET, origin: ORIGIN_ARN },
      siteUrl: "https://hips.example",
      sender: { email: TEST_CONFIG.senderEmail, name: TEST_CONFIG.senderName },
    }),
  };
  host = coldStart();
  stamp = await ripeStamp(host, FIRST);
}, 120_000);

afterAll(async () => {
  for (const worker of hosts) await worker.terminate();
  dynamo?.destroy();
  for (const server of [aws, ses, db]) await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the web function answers only requests that came through CloudFront", () => {
  it("through CloudFront (with the secret): the signup is taken, the client address is CloudFront's", async () => {
    const before = aws.messages.length;
    const res = await signup(host, "door@example.com", stamp, {
      ...through(FIRST, "203.0.113.50"),
      // What the client claimed; CloudFront appends, the app never reads it.
      "x-forwarded-for": "127.0.0.1, 203.0.113.50, 130.176.0.1",
    });
    expect(res.statusCode).toBe(202);
    expect(aws.messages.length).toBe(before + 1);
    expect((await store.get(sidOf("door@example.com")))?.consent.ip).toBe("203.0.113.50");
  });

  it("straight at execute-api (no secret), even claiming to be local: 403, nothing stored, queued or sent", async () => {
    const before = aws.messages.length;
    const res = await signup(host, "around@example.com", stamp, {
      "x-origin-verify": undefined,
      via: undefined,
      "x-viewer-ip": "127.0.0.1",
      "x-forwarded-for": "127.0.0.1",
      host: "localhost",
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain("stamp");
    await untouched("around@example.com", before);
  });

  it("a wrong secret (same length, last character wrong; a prefix; empty; not yet current) is refused", async () => {
    const before = aws.messages.length;
    for (const secret of [NEAR_MISS, FIRST.slice(0, -1), "", SECOND]) {
      const res = await signup(host, "wrong@example.com", stamp, through(secret));
      expect(res.statusCode, JSON.stringify(secret.slice(-2))).toBe(403);
    }
    await untouched("wrong@example.com", before);
  });

  it("every path is behind the door: pages, the stamp endpoint, links, /healthz", async () => {
    for (const path of ["/", "/healthz", "/api/stamp", "/confirm?t=x", "/c/x"]) {
      expect((await get(host, path, through(undefined))).statusCode, path).toBe(403);
    }
    expect((await get(host, "/healthz", through(FIRST))).statusCode).toBe(200);
  });

  it("the owner's area, a function of its own, is behind the same door", async () => {
    for (const path of ["/admin", "/admin/login", "/admin/subscribers.csv"]) {
      for (const secret of [undefined, NEAR_MISS, ""]) {
        const res = await get(host, path, through(secret), "admin");
        expect(res.statusCode, `${path} ${JSON.stringify(secret?.slice(-2))}`).toBe(403);
      }
    }
    const before = aws.messages.length;
    const res = await invoke(
      host,
      httpEvent("POST", "/admin/login", {
        body: "email=clara%40yogaforhealthyhips.com",
        contentType: "application/x-www-form-urlencoded",
        headers: { ...through(undefined), origin: "https://hips.example" },
      }),
      "admin",
    );
    expect(res.statusCode).toBe(403);
    expect(aws.messages.length).toBe(before);
    expect((await get(host, "/admin/login", through(FIRST), "admin")).statusCode).toBe(200);
  });

  it("a function started without its origin secret does not start (never open by default)", async () => {
    const { ORIGIN_SECRET_ARN: _, ...withoutSecret } = functionEnv;
    const open = coldStart(withoutSecret);
    await expect(get(open, "/healthz", through(undefined))).rejects.toMatchObject({
      name: "ConfigError",
    });
    await expect(get(open, "/admin/login", through(undefined), "admin")).rejects.toMatchObject({
      name: "ConfigError",
    });
  });

  it("during a rotation the previous value is still accepted; after the next, it is not", async () => {
    // Rotation step 1: Secrets Manager holds the new value; CloudFront still sends the old one.
    secrets[ORIGIN_ARN] = { AWSCURRENT: SECOND, AWSPREVIOUS: FIRST };
    const rotated = coldStart();
    const before = aws.messages.length;
    expect((await signup(rotated, "old-edge@example.com", stamp, through(FIRST))).statusCode).toBe(
      202,
    );
    // Step 2: CloudFront sends the new value.
    expect((await signup(rotated, "new-edge@example.com", stamp, through(SECOND))).statusCode).toBe(
      202,
    );
    expect(aws.messages.length).toBe(before + 2);

    // The next rotation: FIRST is two generations old and opens nothing.
    const THIRD = "c".repeat(64);
    secrets[ORIGIN_ARN] = { AWSCURRENT: THIRD, AWSPREVIOUS: SECOND };
    const later = coldStart();
    const res = await signup(later, "stale@example.com", stamp, through(FIRST));
    expect(res.statusCode).toBe(403);
    await untouched("stale@example.com", before + 2);
    expect((await get(later, "/healthz", through(SECOND))).statusCode).toBe(200);
    expect((await get(later, "/healthz", through(THIRD))).statusCode).toBe(200);
    // The owner's area reads the same secret the same way.
    expect((await get(later, "/admin/login", through(FIRST), "admin")).statusCode).toBe(403);
    expect((await get(later, "/admin/login", through(SECOND), "admin")).statusCode).toBe(200);
    expect((await get(later, "/admin/login", through(THIRD), "admin")).statusCode).toBe(200);
  });
});

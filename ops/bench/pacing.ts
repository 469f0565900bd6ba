import { fork } from "node:child_process";
import { subscribe as listen, unsubscribe as unlisten } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createMailer, type OutgoingEmail } from "../../functions/adapters/mailer";
import { slotTable } from "../../functions/adapters/send-slots";
import { type SendJob, silentLogger } from "../../functions/core/ports";
import { slotShares } from "../../functions/core/send-slots";
import { WINDOW_MS } from "../../functions/core/send-window";
import { createSender } from "../../functions/funnel/pace";
import { sendSlots } from "../../functions/funnel/send-slots";
import { subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { startDynalite } from "../../infra/local/emulators";
import { startLocalStack } from "../../infra/local/stack";
import { ensureTable } from "../../infra/local/table";
import type { BenchMeasure, BenchRow } from "./row";

/**
 * The account's rate the send slots share, as on AWS: a new account's 14/s, two slots of 7, the
 * deployed case (light enough to measure pacing, not CPU, on a busy machine).
 */
const AWS_RATE = 14;
/** Send slots, and send-function invocations at once (the queue's maximum concurrency). */
const AWS_SENDERS = 2;
/** An odd rate: slots of 8 and 7. */
const ODD_RATE = 15;
/** The SES sandbox's rate: one slot of 1, one of none. */
const SANDBOX_RATE = 1;
/** Jobs per invocation: SQS's batch of 10, sent at once. */
const BATCH = 10;
/** Lambda's time left when an invocation starts (the send function's timeout). */
const REMAINING_MS = 30_000;
/** The local stack's default rate (a new SES account's quota). */
const LOCAL_RATE = 14;
/** Seconds of work queued: long enough that a slow second on a busy machine is a small part. */
const SECONDS = 20;

/** The most sends in any half-open 1-second window [t, t + 1000), wherever it falls. */
export function busiest(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= WINDOW_MS) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Sends per second from the first send to the last. */
const sustained = (times: number[]) => {
  const t = [...times].sort((a, b) => a - b);
  return (t.length - 1) / (((t.at(-1) as number) - (t[0] as number)) / 1000);
};

const load = () => loadavg()[0]?.toFixed(1);

/**
 * Times each SES send request as it is written to the network: the HTTP client's `finish`
 * (the request handed to the operating system), which is what SES counts as it arrives, give
 * or take the network. Taken in this process, where the senders run, so the stand-in's own
 * event loop (the same process) cannot bunch it.
 */
function wireTimes() {
  const times: number[] = [];
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    if (request.method !== "POST" || !request.path.startsWith("/v2/email/outbound-emails")) return;
    request.once("finish", () => times.push(performance.now()));
  };
  listen("http.client.request.start", onStart);
  return { times, stop: () => unlisten("http.client.request.start", onStart) };
}

/**
 * Sends per second while work waited in the queue: from the first send to the last one made
 * before the queue ran empty (the batches in flight then finish with fewer senders busy).
 */
function whileWaiting(times: number[], drainedAt: number): number {
  const t = [...times].sort((a, b) => a - b).filter((x) => x <= drainedAt);
  return (t.length - 1) / (((t.at(-1) as number) - (t[0] as number)) / 1000);
}

function rows(
  what: string,
  rate: number,
  times: number[],
  loadAvg: string | undefined,
  rateOf = sustained(times),
) {
  const most = busiest(times);
  const at = `${what}, R = ${rate}/s, ${times.length} sends, load ${loadAvg} on 2 cores`;
  return [
    {
      measure: `busiest 1-second window: ${at}`,
      project: most,
      baseline: rate,
      ratio: Number((most / rate).toFixed(3)),
      goal: "<= 1.0x R",
      met: most <= rate,
      unit: "sends",
    },
    {
      measure: `sustained rate while work waits: ${at}`,
      project: Number(rateOf.toFixed(2)),
      baseline: rate,
      ratio: Number((rateOf / rate).toFixed(3)),
      goal: ">= 0.95x R",
      met: rateOf >= 0.95 * rate,
      unit: "sends/s",
    },
  ] satisfies BenchRow[];
}

/** The SES stand-in in a process of its own (./ses-arrivals.mjs), noting arrivals. */
async function standIn() {
  const child = fork(fileURLToPath(new URL("./ses-arrivals.mjs", import.meta.url)), {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<{ port?: number; arrivals?: number[] }>((resolve, reject) => {
      child.once("message", (m) => resolve(m as { port?: number; arrivals?: number[] }));
      child.once("error", reject);
    });
  const { port } = await next();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** Arrival times on this process's clock (both read the same wall clock). */
    async arrivals() {
      const reply = next();
      child.send("times");
      return ((await reply).arrivals ?? []).map((t) => t - performance.timeOrigin);
    },
    stop: () =>
      new Promise<void>((r) => {
        child.once("exit", () => r());
        child.send("stop");
      }),
  };
}

/**
 * The AWS shape: send-function instances, each with its own paced sender, claiming send slots
 * in a table on dynalite (the real adapter and SDK client) at the start of each invocation and
 * releasing them at its end. Two invocations at once (the queue's maximum concurrency), each a
 * batch sent at once; halfway through, the second lane's instance is replaced by a new one (SQS
 * handing batches to another instance), which takes over its slot. All send to one SES
 * stand-in. Timed as each request is written to the network (in the senders' process) and as it
 * reaches the stand-in (in a process of its own).
 */
async function awsShape(rate: number, jobs: number, batch = BATCH): Promise<BenchRow[]> {
  const ses = await standIn();
  const db = await startDynalite(0);
  const dynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const client = new SESv2Client({
    endpoint: ses.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const wire = wireTimes();
  try {
    await ensureTable(dynamo, "bench-slots");
    const table = slotTable(DynamoDBDocumentClient.from(dynamo), "bench-slots");
    const mailer = createMailer(client, { from: "Bench <bench@example.com>" });
    const email = { to: "bench@example.com", subject: "Pacing", html: "<p>hi</p>", text: "hi" };
    // An instance as send-deps.ts makes one: a paced sender on epoch time, without a slot
    // until an invocation claims one.
    const instance = (me: string) => {
      const own = {
        send: (e: OutgoingEmail, leaves?: () => void) => mailer.send(e, leaves),
      };
      const sender = createSender(own, { rate: () => rate, now: () => Date.now() });
      sender.hold(null);
      const slots = sendSlots(table, sender, {
        slots: AWS_SENDERS,
        rate: () => rate,
        me,
        logger: silentLogger,
      });
      return { sender, slots };
    };
    let waiting = jobs;
    let drainedAt = Number.POSITIVE_INFINITY;
    let sent = 0;
    /** One invocation: claim a slot, send a batch at once, release; unsent jobs go back. */
    const invoke = async (inst: ReturnType<typeof instance>) => {
      const n = Math.min(batch, waiting);
      waiting -= n;
      if (waiting === 0) drainedAt = performance.now();
      const hold = await inst.slots.claim(REMAINING_MS);
      const out = await Promise.allSettled(
        Array.from({ length: n }, () => inst.sender.send(email)),
      );
      const ok = out.filter((o) => o.status === "fulfilled").length;
      sent += ok;
      waiting += n - ok;
      await hold.release();
    };
    const a = instance("a");
    const b = instance("b");
    const c = instance("c");
    const lane = async (pick: () => ReturnType<typeof instance>) => {
      while (waiting > 0) await invoke(pick());
    };
    const before = load();
    await Promise.all([lane(() => a), lane(() => (sent < jobs / 2 ? b : c))]);
    const arrived = await ses.arrivals();
    const shares = slotShares(rate, AWS_SENDERS).join(" + ");
    const what = `2 send functions claiming slots of ${shares} from the table, a third taking over mid-run (as on AWS)`;
    const atSes = busiest(arrived);
    return [
      ...rows(
        `${what}, as requests are written`,
        rate,
        wire.times,
        before,
        whileWaiting(wire.times, drainedAt),
      ),
      {
        // Where SES counts, give or take the network. The stand-in reads requests when the
        // shared cores let it, so a read it was late for bunches a few here: shown beside.
        measure: `busiest 1-second window: ${what}, as requests reach the stand-in (a process of its own), R = ${rate}/s, ${arrived.length} sends, load ${before} on 2 cores`,
        project: atSes,
        baseline: rate,
        ratio: Number((atSes / rate).toFixed(3)),
        goal: "<= 1.0x R",
        met: atSes <= rate,
        unit: "sends",
      },
    ];
  } finally {
    wire.stop();
    client.destroy();
    dynamo.destroy();
    await ses.stop();
    await db.close();
  }
}

/**
 * The local stack end to end: signups queue their confirmation emails, all of them first (so
 * the rate is measured while work waits, not while signups trickle in on the same cores), and
 * the one sender of `npm start` sends them through the in-process queue (look, compose, SES,
 * record), timed as each request is written to the network.
 */
async function localStack(rate: number): Promise<number[]> {
  const stack = await startLocalStack({
    clock: new ManualClock(),
    logger: silentLogger,
    maxSendRate: rate,
    signupRateLimit: "off",
  });
  const wire = wireTimes();
  try {
    const jobs: SendJob[] = [];
    const held = {
      ...stack.deps,
      queue: { enqueue: async (j: SendJob[]) => void jobs.push(...j) },
    };
    const people = LOCAL_RATE * SECONDS;
    for (let i = 0; i < people; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, people - i) }, (_, k) =>
          subscribe(held, {
            email: `bench${i + k}@example.com`,
            firstName: "",
            timeZone: "UTC",
            consent: { form: "bench", textVersion: "1" },
          }),
        ),
      );
    }
    await stack.deps.queue.enqueue(jobs);
    await stack.drain();
    return wire.times;
  } finally {
    wire.stop();
    await stack.stop();
  }
}

/**
 * Pacing: the busiest 1-second window (sliding) and the rate sustained while work waits, each
 * beside the configured rate R, for the senders as they run on AWS and for `npm start`.
 */
export const measure: BenchMeasure = async () => {
  const aws = [
    ...(await awsShape(AWS_RATE, AWS_RATE * SECONDS)),
    ...(await awsShape(ODD_RATE, ODD_RATE * SECONDS)),
    // The sandbox: a few sends in small batches (what SQS hands over when a few wait), so the
    // two instances take turns at the one slot with a share.
    ...(await awsShape(SANDBOX_RATE, 12, 3)),
  ];
  const before = load();
  const paced = await localStack(LOCAL_RATE);
  // The same work unpaced: what this machine's npm start can send right now, so a shortfall
  // of the row above can be told apart from a busy machine.
  const capacity = sustained(await localStack(10_000));
  return [
    ...aws,
    ...rows("npm start's sender, end to end, as requests are written", LOCAL_RATE, paced, before),
    {
      measure: `npm start end to end with no rate limit (this machine's capacity now), load ${load()} on 2 cores`,
      project: Number(capacity.toFixed(2)),
      baseline: LOCAL_RATE,
      ratio: Number((capacity / LOCAL_RATE).toFixed(3)),
      goal: ">= 1.0x R (else the machine, not pacing, limits the row above)",
      met: capacity >= LOCAL_RATE,
      unit: "sends/s",
    },
  ];
};

export default measure;

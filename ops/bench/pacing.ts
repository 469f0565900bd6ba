import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type startSesServerType from "aws-ses-v2-local";
import { createMailer } from "../../functions/adapters/mailer";
import { silentLogger } from "../../functions/core/ports";
import { shareOf, WINDOW_MS } from "../../functions/core/send-window";
import { createSender } from "../../functions/funnel/pace";
import { subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { startLocalStack } from "../../infra/local/stack";
import type { BenchMeasure, BenchRow } from "./row";

const require = createRequire(import.meta.url);

/**
 * The account's rate the senders share, as two send workers share it on AWS: a new account's
 * 14/s, 7 each, the deployed case (light enough to measure pacing, not CPU, on a busy machine).
 */
const AWS_RATE = 14;
const AWS_SENDERS = 2;
/** Send jobs each AWS-shaped sender works through at once: a batch of 10, in parallel. */
const WORKERS = 10;
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
 * The send call: the SES client's first middleware, which runs synchronously inside the
 * pacer's call, before anything is awaited.
 */
const SEND_CALL = { step: "initialize", priority: "high", name: "benchSendCall" } as const;
const stamp =
  (times: number[]) =>
  <I, O>(next: (args: I) => Promise<O>) =>
  (args: I) => {
    times.push(performance.now());
    return next(args);
  };

function rows(what: string, rate: number, times: number[], loadAvg: string | undefined) {
  const most = busiest(times);
  const rateOf = sustained(times);
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

/**
 * The AWS shape: two senders (two send Lambdas), each pacing to its whole share of R, each
 * working through several jobs at once, both sending to one SES stand-in. Times are taken at
 * the send call (where the pacer's window counts) and as each request reaches the stand-in.
 */
async function awsShape(): Promise<BenchRow[]> {
  const { default: startSesServer } = require("aws-ses-v2-local") as {
    default: typeof startSesServerType;
  };
  const server = await startSesServer({ host: "127.0.0.1", port: 0 });
  const accepted: number[] = [];
  const called: number[] = [];
  server.on("request", (req) => {
    if (req.method === "POST" && req.url?.startsWith("/v2/email/outbound-emails")) {
      accepted.push(performance.now());
    }
  });
  const ses = new SESv2Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  ses.middlewareStack.add(stamp(called), SEND_CALL);
  try {
    const mailer = createMailer(ses, { from: "Bench <bench@example.com>" });
    const email = { to: "bench@example.com", subject: "Pacing", html: "<p>hi</p>", text: "hi" };
    const share = shareOf(AWS_RATE, AWS_SENDERS);
    const sender = async () => {
      const paced = createSender(mailer, { rate: () => share });
      let left = share * SECONDS;
      const worker = async () => {
        while (left-- > 0) await paced.send(email);
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
    };
    const before = load();
    await Promise.all(Array.from({ length: AWS_SENDERS }, sender));
    const what = `${AWS_SENDERS} senders at a whole share of ${share} each (as on AWS)`;
    const atSes = busiest(accepted);
    return [
      ...rows(`${what}, at the send call`, AWS_RATE, called, before),
      {
        // Where SES would count: each request as it reaches the stand-in's server. The same
        // process runs senders and server on a shared machine, so event-loop delays between
        // the call and the server's read bunch some requests: shown, not hidden.
        measure: `busiest 1-second window: ${what}, as requests reach SES, load ${before} on 2 cores`,
        project: atSes,
        baseline: AWS_RATE,
        ratio: Number((atSes / AWS_RATE).toFixed(3)),
        goal: "<= 1.0x R",
        met: atSes <= AWS_RATE,
        unit: "sends",
      },
    ];
  } finally {
    ses.destroy();
    server.closeAllConnections?.();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/**
 * The local stack end to end: signups queue their confirmation emails, and the one sender
 * of `npm start` sends them through the in-process queue (look, compose, SES, record), timed
 * at the send call (the SES client's first middleware, which runs inside the pacer's call).
 */
async function localStack(rate: number): Promise<number[]> {
  const sentAt: number[] = [];
  const stack = await startLocalStack({
    clock: new ManualClock(),
    logger: silentLogger,
    maxSendRate: rate,
    signupRateLimit: "off",
    clients: ({ ses }) => ses.middlewareStack.add(stamp(sentAt), SEND_CALL),
  });
  try {
    const people = LOCAL_RATE * SECONDS;
    for (let i = 0; i < people; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, people - i) }, (_, k) =>
          subscribe(stack.deps, {
            email: `bench${i + k}@example.com`,
            firstName: "",
            timeZone: "UTC",
            consent: { form: "bench", textVersion: "1" },
          }),
        ),
      );
    }
    await stack.drain();
    return sentAt;
  } finally {
    await stack.stop();
  }
}

/**
 * Pacing: the busiest 1-second window (sliding) and the rate sustained while work waits, each
 * beside the configured rate R, for the senders as they run on AWS and for `npm start`.
 */
export const measure: BenchMeasure = async () => {
  const aws = await awsShape();
  const before = load();
  const paced = await localStack(LOCAL_RATE);
  // The same work unpaced: what this machine's npm start can send right now, so a shortfall
  // of the row above can be told apart from a busy machine.
  const capacity = sustained(await localStack(10_000));
  return [
    ...aws,
    ...rows("npm start's sender, end to end, at the send call", LOCAL_RATE, paced, before),
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

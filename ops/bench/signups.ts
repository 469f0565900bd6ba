import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type SendJob, silentLogger } from "../../functions/core/ports";
import type { Subscriber } from "../../functions/core/subscriber";
import { onSignup } from "../../functions/core/transitions";
import { sidFor } from "../../functions/funnel/subscriptions";
import { forwardedFor } from "../../functions/http/context";
import { issueStamp, MIN_FILL_MS } from "../../functions/http/stamp";
import { startLocalStack } from "../../infra/local/stack";
import { TABLE_NAME } from "../../infra/local/table";
import { countRequests, drive, perUnit, round } from "./io";
import type { BenchMeasure, BenchRow } from "./row";

const CONCURRENCY = 16;
/** Signups per side, in alternating rounds so that a change in the machine's load hits both. */
const SIGNUPS = 600;
const ROUNDS = 3;
/** High enough that the confirmations queued by one round are sent before the next. */
const SEND_RATE = 400;

/**
 * Local signups through the web app (POST /api/subscribe in process, each from its own client
 * address with a ripe form stamp, the shared per-client limit on) against the raw I/O a signup
 * needs at least: one conditional put of the same pending subscriber item and one enqueue of
 * its confirmation on the same local queue, through the same DynamoDB client, at the same
 * concurrency. Both sides' queued confirmations are sent by the same workers, between and
 * during the rounds alike. Also counts the DynamoDB requests one signup makes while the
 * visitor waits.
 */
export const measure: BenchMeasure = async () => {
  let dynamo: DynamoDBClient | undefined;
  const stack = await startLocalStack({
    logger: silentLogger,
    // Each bench request says which client it stands for; the limit applies to each.
    clientIp: forwardedFor,
    maxSendRate: SEND_RATE,
    // The same send workers for both sides' confirmations, as many as npm start's default.
    queue: { concurrency: 8 },
    clients: (c) => {
      dynamo = c.dynamo;
    },
  });
  if (!dynamo) throw new Error("the local stack gave no DynamoDB client");
  const counter = countRequests(dynamo);
  try {
    const { deps } = stack;
    const ripe = deps.clock.now() - MIN_FILL_MS - 1000;
    const stamp = issueStamp({ tokens: deps.tokens, clock: { now: () => ripe } });
    const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const bodies = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({ email: `${prefix}${i}@example.com`, firstName: "Ana", tz: "UTC", stamp }),
      );
    const post = (body: string, i: number) =>
      stack.app.request("/api/subscribe", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          // As a browser's fetch sends it (without it the body-size check reads the stream).
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "bench",
          "x-forwarded-for": ip(i),
        },
        body,
      });

    // What one signup costs while the visitor waits: the queue's workers held aside.
    const queue = deps.queue;
    const held: SendJob[] = [];
    deps.queue = { enqueue: async (jobs) => void held.push(...jobs) };
    const probe = bodies("probe", 50);
    counter.reset();
    for (const [i, body] of probe.entries()) await post(body, 1_000_000 + i);
    const perSignup = counter.snapshot();
    deps.queue = queue;
    await queue.enqueue(held);

    // The same pending item the app writes, built before the clock starts.
    const raw = Array.from({ length: SIGNUPS }, (_, i) => {
      const email = `raw${i}@example.com`;
      const now = deps.clock.now();
      const decision = onSignup(
        undefined,
        {
          sid: sidFor(deps, email),
          email,
          firstName: "Ana",
          timeZone: "UTC",
          consent: {
            at: new Date(now).toISOString(),
            ip: ip(i),
            userAgent: "bench",
            form: "landing:fetch",
            textVersion: deps.course.funnel.landing.consentVersion,
          },
          sequenceId: deps.course.funnel.sequence.id,
          generation: 1 + i,
        },
        now,
      );
      return (decision as { item: Subscriber }).item;
    });
    const doc = DynamoDBDocumentClient.from(dynamo, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const limited = bodies("bench", SIGNUPS);
    const lifted = bodies("lifted", SIGNUPS);
    const warm = bodies("warm", 50);
    await drive(warm.length, CONCURRENCY, (i) => post(warm[i] as string, 2_000_000 + i));
    await stack.drain();

    const signup = (list: string[], offset: number) => async (i: number) => {
      const res = await post(list[i] as string, offset + i);
      if (res.status !== 202) throw new Error(`signup answered ${res.status}`);
    };
    const sides = {
      // The shared per-client limit on, as deployed: its own conditional write per signup.
      limited: signup(limited, 0),
      // The signup itself, the limit lifted for these rounds only.
      lifted: signup(lifted, 100_000),
      raw: async (i: number) => {
        const item = raw[i] as Subscriber;
        await doc.send(
          new PutCommand({
            TableName: TABLE_NAME,
            Item: { pk: `SUB#${item.sid}`, sk: "PROFILE", ...item },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        await queue.enqueue([{ kind: "confirm", sid: item.sid }]);
      },
    };
    type Side = keyof typeof sides;
    const per = SIGNUPS / ROUNDS;
    const ms: Record<Side, number> = { limited: 0, lifted: 0, raw: 0 };
    const lat: Record<Side, number[]> = { limited: [], lifted: [], raw: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of Object.keys(sides) as Side[]) {
        deps.signupRateLimit = side === "lifted" ? "off" : undefined;
        const run = await drive(per, CONCURRENCY, (k) => sides[side](r * per + k));
        // The confirmations this round queued are sent before the next round starts.
        await stack.drain();
        ms[side] += run.ms;
        lat[side].push(...run.latencies);
      }
    }
    deps.signupRateLimit = undefined;
    const rate = (side: Side) => (SIGNUPS / ms[side]) * 1000;
    const p99 = (side: Side) =>
      [...lat[side]].sort((a, b) => a - b)[Math.floor(lat[side].length * 0.99)] ?? 0;
    const rows: BenchRow[] = [];
    for (const side of ["limited", "lifted"] as const) {
      const what = side === "limited" ? "per-client limit on" : "per-client limit lifted";
      rows.push(
        {
          measure: `local signups/s at concurrency ${CONCURRENCY}, ${what}`,
          project: Math.round(rate(side)),
          baseline: Math.round(rate("raw")),
          ratio: round(rate(side) / rate("raw")),
          goal: ">= 0.8x raw put + enqueue",
          met: rate(side) >= 0.8 * rate("raw"),
          unit: "/s",
        },
        {
          measure: `local signup p99 at concurrency ${CONCURRENCY}, ${what}`,
          project: round(p99(side)),
          baseline: round(p99("raw")),
          ratio: round(p99(side) / p99("raw")),
          goal: "<= 2x raw",
          met: p99(side) <= 2 * p99("raw"),
          unit: "ms",
        },
      );
    }
    const counted = perSignup.byKind;
    const writes = (counted["PutItem SUB"] ?? 0) / probe.length;
    const reads = Object.entries(counted)
      .filter(([k]) => /^(Get|Query|BatchGet|Scan)/.test(k))
      .reduce((n, [, v]) => n + v, 0);
    const counters = Object.entries(counted)
      .filter(([k]) => k.endsWith(" STAT"))
      .reduce((n, [, v]) => n + v, 0);
    rows.push({
      measure: "DynamoDB requests per new signup while the visitor waits",
      project: round(perSignup.total / probe.length),
      baseline: 1,
      ratio: round(perSignup.total / probe.length),
      goal: "1 conditional put, no read, no counter (+ the limit's write)",
      met: writes === 1 && reads === 0 && counters === 0,
      unit: "requests",
      note: perUnit(counted, probe.length),
    });
    return rows;
  } finally {
    await stack.stop();
  }
};

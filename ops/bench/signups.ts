import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { SIGNUP_RATE } from "../../functions/core/limits";
import { type SendJob, silentLogger } from "../../functions/core/ports";
import type { Subscriber } from "../../functions/core/subscriber";
import { onSignup } from "../../functions/core/transitions";
import { sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { forwardedFor } from "../../functions/http/context";
import { issueStamp, MIN_FILL_MS } from "../../functions/http/stamp";
import { startLocalStack } from "../../infra/local/stack";
import { TABLE_NAME } from "../../infra/local/table";
import { countRequests, drive, perUnit, round } from "./io";
import type { BenchMeasure, BenchRow } from "./row";

const CONCURRENCY = 16;
/**
 * Signups per side, in alternating rounds so that a change in the machine's load hits all.
 * Six rounds of 160 (twice the signups of three rounds); on a quiet machine two runs still
 * differed by 0.04x.
 */
const SIGNUPS = 960;
const ROUNDS = 6;
/** High enough that the confirmations queued by one round are sent before the next. */
const SEND_RATE = 400;

/**
 * Local signups through the web app (POST /api/subscribe in process, each from its own client
 * address with a ripe form stamp) against the raw I/O a signup needs at least, through the same
 * DynamoDB client at the same concurrency. The goal is measured with the per-client limit
 * lifted (`SIGNUP_RATE_LIMIT=off`, as a benchmark runs `npm start`) against one conditional put
 * of the same pending subscriber item and one enqueue of its confirmation on the same local
 * queue. With the limit on, as deployed, a signup also makes the limit's one conditional write
 * (a limit shared by every instance needs it; no read): that side is measured against the same
 * raw I/O plus that write. All sides' queued confirmations are sent by the same workers, between
 * and during the rounds alike. Also counts the DynamoDB requests one signup makes while the
 * visitor waits, in both configurations, and the process's CPU time per signup on each side.
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

    // What one signup costs while the visitor waits, the queue's workers held aside: with the
    // limit lifted (the issue's configuration) and with it on (as deployed).
    const queue = deps.queue;
    const held: SendJob[] = [];
    deps.queue = { enqueue: async (jobs) => void held.push(...jobs) };
    const PROBES = 50;
    const probed = async (prefix: string, limit: "off" | undefined, from: number) => {
      deps.signupRateLimit = limit;
      counter.reset();
      for (const [i, body] of bodies(prefix, PROBES).entries()) await post(body, from + i);
      return counter.snapshot();
    };
    const perSignup = {
      lifted: await probed("probe-lifted", "off", 1_000_000),
      limited: await probed("probe", undefined, 1_100_000),
    };
    deps.signupRateLimit = undefined;
    deps.queue = queue;
    await queue.enqueue(held);

    // The same pending item the app writes, built before the clock starts.
    // The raw sides' pending items (one set for each raw side).
    const raw = Array.from({ length: 2 * SIGNUPS }, (_, i) => {
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
    const funnelOnly = Array.from({ length: SIGNUPS }, (_, i) => `funnel${i}@example.com`);
    const warm = bodies("warm", 50);
    await drive(warm.length, CONCURRENCY, (i) => post(warm[i] as string, 2_000_000 + i));
    await stack.drain();

    const signup = (list: string[], offset: number) => async (i: number) => {
      const res = await post(list[i] as string, offset + i);
      if (res.status !== 202) throw new Error(`signup answered ${res.status}`);
    };
    const putAndEnqueue = async (i: number) => {
      const item = raw[i] as Subscriber;
      await doc.send(
        new PutCommand({
          TableName: TABLE_NAME,
          Item: { pk: `SUB#${item.sid}`, sk: "PROFILE", ...item },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      await queue.enqueue([{ kind: "confirm", sid: item.sid }]);
    };
    const sides = {
      // The signup itself, the limit lifted for these rounds only (SIGNUP_RATE_LIMIT=off).
      lifted: signup(lifted, 100_000),
      raw: putAndEnqueue,
      // The shared per-client limit on, as deployed: its own conditional write per signup.
      limited: signup(limited, 0),
      // The same I/O by hand: the limit's write for a new client (as the limiter writes it),
      // then the put and the enqueue.
      rawLimited: async (i: number) => {
        const now = Date.now();
        await doc.send(
          new UpdateCommand({
            TableName: TABLE_NAME,
            Key: { pk: `RATE#bench-raw-${i}`, sk: "RATE" },
            UpdateExpression: "SET #tat = :next, expiresAt = :exp",
            ConditionExpression: "attribute_not_exists(#tat) OR #tat < :now",
            ExpressionAttributeNames: { "#tat": "tat" },
            ExpressionAttributeValues: {
              ":next": now + SIGNUP_RATE.intervalMs,
              ":now": now,
              ":exp": Math.ceil(now / 1000) + 3600,
            },
          }),
        );
        await putAndEnqueue(SIGNUPS + i);
      },
      // Where the rest goes: the funnel's own signup, called without the web app (no request,
      // no body to read, no stamp, validation or answer); for the note only.
      funnel: async (i: number) => {
        await subscribe(deps, {
          email: funnelOnly[i] as string,
          firstName: "Ana",
          timeZone: "UTC",
          consent: {
            ip: ip(200_000 + i),
            userAgent: "bench",
            form: "landing:fetch",
            textVersion: deps.course.funnel.landing.consentVersion,
          },
        });
      },
    };
    type Side = keyof typeof sides;
    const per = SIGNUPS / ROUNDS;
    const zero = { lifted: 0, raw: 0, limited: 0, rawLimited: 0, funnel: 0 };
    const ms: Record<Side, number> = { ...zero };
    const cpu: Record<Side, number> = { ...zero };
    const lat: Record<Side, number[]> = {
      lifted: [],
      raw: [],
      limited: [],
      rawLimited: [],
      funnel: [],
    };
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of Object.keys(sides) as Side[]) {
        deps.signupRateLimit = side === "lifted" || side === "funnel" ? "off" : undefined;
        const used = process.cpuUsage();
        const run = await drive(per, CONCURRENCY, (k) => sides[side](r * per + k));
        const { user, system } = process.cpuUsage(used);
        // The confirmations this round queued are sent before the next round starts.
        await stack.drain();
        ms[side] += run.ms;
        cpu[side] += (user + system) / 1000;
        lat[side].push(...run.latencies);
      }
    }
    deps.signupRateLimit = undefined;
    const rate = (side: Side) => (SIGNUPS / ms[side]) * 1000;
    const p99 = (side: Side) =>
      [...lat[side]].sort((a, b) => a - b)[Math.floor(lat[side].length * 0.99)] ?? 0;
    const cpuNote = (side: Side, base: Side) =>
      `CPU time of this process per signup ${round(cpu[side] / SIGNUPS)} ms, raw ${round(cpu[base] / SIGNUPS)} ms`;
    const rows: BenchRow[] = [];
    const pair = (side: Side, base: Side, what: string, baseline: string, note: string) =>
      rows.push(
        {
          measure: `local signups/s at concurrency ${CONCURRENCY}, ${what}`,
          project: Math.round(rate(side)),
          baseline: Math.round(rate(base)),
          ratio: round(rate(side) / rate(base)),
          goal: `>= 0.8x ${baseline}`,
          met: rate(side) >= 0.8 * rate(base),
          unit: "/s",
          note: `${cpuNote(side, base)}${note}`,
        },
        {
          measure: `local signup p99 at concurrency ${CONCURRENCY}, ${what}`,
          project: round(p99(side)),
          baseline: round(p99(base)),
          ratio: round(p99(side) / p99(base)),
          goal: "<= 2x raw",
          met: p99(side) <= 2 * p99(base),
          unit: "ms",
        },
      );
    pair(
      "lifted",
      "raw",
      "per-client limit lifted (SIGNUP_RATE_LIMIT=off)",
      "raw put + enqueue",
      `; the issue's goal is measured in this configuration; the funnel's signup alone, called without the web app, ${round(rate("funnel") / rate("raw"))}x raw (CPU per signup ${round(cpu.funnel / SIGNUPS)} ms)`,
    );
    pair(
      "limited",
      "rawLimited",
      "per-client limit on",
      "raw limit write + put + enqueue",
      `; against the raw put + enqueue alone ${round(rate("limited") / rate("raw"))}x, p99 ${round(p99("limited") / p99("raw"))}x`,
    );
    // Requests of each kind per signup, and whether they are exactly `expected` (per signup).
    const requests = (
      what: string,
      snap: (typeof perSignup)["lifted"],
      expected: Record<string, number>,
      goal: string,
    ) => {
      const per = Object.fromEntries(Object.entries(snap.byKind).map(([k, v]) => [k, v / PROBES]));
      const want = Object.values(expected).reduce((a, b) => a + b, 0);
      const exact = Object.keys({ ...per, ...expected }).every((k) => per[k] === expected[k]);
      rows.push({
        measure: `DynamoDB requests per new signup while the visitor waits, ${what}`,
        project: round(snap.total / PROBES),
        baseline: want,
        ratio: round(snap.total / PROBES / want),
        goal,
        met: exact,
        unit: "requests",
        note: perUnit(snap.byKind, PROBES),
      });
    };
    requests(
      "per-client limit lifted (SIGNUP_RATE_LIMIT=off)",
      perSignup.lifted,
      { "PutItem SUB": 1 },
      "1 conditional put, no read, no counter",
    );
    requests(
      "per-client limit on",
      perSignup.limited,
      { "PutItem SUB": 1, "UpdateItem RATE": 1 },
      "the put and the limit's one write, no read, no counter",
    );
    return rows;
  } finally {
    await stack.stop();
  }
};

import { createRequire } from "node:module";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { createMailer } from "../../functions/adapters/mailer";
import { subscriberKey } from "../../functions/adapters/table";
import { createLogger } from "../../functions/aws/logger";
import type { Subscriber } from "../../functions/core/subscriber";
import { onConfirm, onSignup } from "../../functions/core/transitions";
import { nextFor } from "../../functions/funnel/sequences";
import { sidFor } from "../../functions/funnel/subscriptions";
import { forwardedFor } from "../../functions/http/context";
import { ManualClock } from "../../infra/local/clock";
import { startLocalStack } from "../../infra/local/stack";
import { TABLE_NAME } from "../../infra/local/table";
import { type CostInput, costRows } from "./cost";
import { countRequests, drive, perUnit, round } from "./io";
import type { BenchMeasure, BenchRow } from "./row";
import { signupProbe } from "./signup-probe";

const SUBSCRIBERS = 2000;
/** Of them, this many sign up and confirm through the web app, each step counted. */
const PROBE = 50;
/** Send workers, for the project's queue and the raw baseline alike. */
const CONCURRENCY = 16;
/**
 * Pacing lifted: the bench measures the I/O path, not the SES quota (the pacing bench measures
 * that). High enough never to be what limits; the pacing code still runs for every email.
 */
const SEND_RATE = 2000;
const DAY_MS = 86_400_000;
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

const require = createRequire(import.meta.url);
interface StoredEmail {
  destination: { to: string[] };
  subject: string;
}
/** The SES stand-in's own store: it runs in this process (read directly, not as 300 MB of JSON). */
const sesStore = () =>
  (
    require("aws-ses-v2-local/dist/store") as {
      getStoreReadonly(): { emails: StoredEmail[] };
    }
  ).getStoreReadonly().emails;

/**
 * The whole drip for {@link SUBSCRIBERS} confirmed subscribers on the local stack: the real
 * dispatcher claims what is due and queues it, the real send workers look, compose, send
 * through SES and advance, on a virtual clock moved a day at a time until everyone completed.
 * Every DynamoDB request is counted by kind. Then: 0 lost and 0 duplicates, read from the SES
 * stand-in's store; and the wall time against the raw I/O of the same emails (one SendEmail
 * of a composed email and one UpdateItem each) at the same concurrency. The cost rows are
 * computed from the same run's counts (./cost.ts).
 */
export const measure: BenchMeasure = async () => {
  const clock = new ManualClock(Date.parse("2026-03-02T09:00:00Z"));
  let dynamo: DynamoDBClient | undefined;
  let ses: SESv2Client | undefined;
  // The log lines the Lambdas would write (their JSON format), counted in bytes, not printed.
  let logBytes = 0;
  const { logger } = createLogger({ SERVICE_NAME: "healthy-hips-send" }, (line) => {
    logBytes += Buffer.byteLength(line);
  });
  const stack = await startLocalStack({
    clock,
    logger,
    maxSendRate: SEND_RATE,
    queue: { concurrency: CONCURRENCY },
    // Each probe request says which client it stands for.
    clientIp: forwardedFor,
    clients: (c) => {
      dynamo = c.dynamo;
      ses = c.ses;
    },
  });
  if (!dynamo || !ses) throw new Error("the local stack gave no clients");
  const counter = countRequests(dynamo);
  try {
    const { deps } = stack;
    const { course } = deps;
    const expected = [course.welcome.subject, ...course.lessons.map((l) => l.subject)];
    const perPerson = expected.length;

    // A few people through the real signup and confirmation, counted; they then follow the drip.
    logBytes = 0;
    const probe = await signupProbe(stack, counter, PROBE);
    const signupLogBytes = logBytes / PROBE;

    // Everyone else confirmed at the same moment, written directly (their welcome is due now).
    const doc = DynamoDBDocumentClient.from(dynamo, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const now = clock.now();
    const items = Array.from({ length: SUBSCRIBERS - probe.people }, (_, i) => {
      const email = `drip${i}@example.com`;
      const consent = { at: new Date(now).toISOString(), form: "bench", textVersion: "1" };
      const created = onSignup(
        undefined,
        {
          sid: sidFor(deps, email),
          email,
          firstName: "Ana",
          timeZone: "UTC",
          consent,
          sequenceId: course.funnel.sequence.id,
          generation: i + 1,
        },
        now,
      );
      const pending = (created as { item: Subscriber }).item;
      const confirmed = onConfirm(pending, now, nextFor(deps.sequences, pending));
      if (confirmed.kind !== "update") throw new Error("could not seed a subscriber");
      const item: Record<string, unknown> = { ...pending, ...confirmed.set, version: 2 };
      for (const k of confirmed.remove) delete item[k];
      return { ...subscriberKey(pending.sid), ...item } as Record<string, unknown>;
    });
    await drive(Math.ceil(items.length / 25), 4, async (b) => {
      let batch: unknown[] | undefined = items
        .slice(b * 25, b * 25 + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      while (batch?.length) {
        const out: { UnprocessedItems?: Record<string, unknown[]> } = await doc.send(
          new BatchWriteCommand({ RequestItems: { [TABLE_NAME]: batch as never } }),
        );
        batch = out.UnprocessedItems?.[TABLE_NAME];
      }
    });

    // The drip: a tick a virtual day until a few days in a row claim nobody and all are done.
    counter.reset();
    logBytes = 0;
    const from = sesStore().length;
    const started = performance.now();
    const cpuFrom = process.cpuUsage();
    await probe.release();
    let idle = 0;
    let ticks = 0;
    let idleMs = 0;
    for (let day = 0; day < 60 && idle < 4; day++) {
      const t = performance.now();
      const { claimed } = await stack.tick();
      if (claimed === 0) idleMs = performance.now() - t;
      ticks++;
      idle = claimed === 0 ? idle + 1 : 0;
      clock.advance(DAY_MS);
    }
    const projectMs = performance.now() - started;
    const projectCpu = cpuMs(process.cpuUsage(cpuFrom));
    const drip = counter.snapshot();
    const dripLogBytes = logBytes / SUBSCRIBERS;

    // One dispatch that finds nobody due, as the schedule runs it every minute at rest.
    counter.reset();
    const t = performance.now();
    await stack.tick();
    const idleTick = {
      ms: Math.min(idleMs, performance.now() - t),
      readUnits: counter.snapshot().consumed.read,
      queries: counter.snapshot().total,
    };

    // Lost and duplicated, from what SES holds: each person, each email exactly once.
    const got = new Map<string, string[]>();
    for (const e of sesStore().slice(from)) {
      const to = e.destination.to[0] ?? "";
      got.set(to, [...(got.get(to) ?? []), e.subject]);
    }
    let lost = 0;
    let duplicates = 0;
    const people = [...probe.emails, ...items.map((i) => String(i.email))];
    for (const email of people) {
      const subjects = got.get(email) ?? [];
      for (const s of expected) {
        const n = subjects.filter((x) => x === s).length;
        if (n === 0) lost++;
        if (n > 1) duplicates += n - 1;
      }
    }
    const emails = SUBSCRIBERS * perPerson;
    const delivered = [...got.values()].reduce((n, l) => n + l.length, 0);

    // Raw I/O of the same emails: one SendEmail of a composed lesson and one UpdateItem each.
    const mailer = createMailer(ses, { from: "Bench <bench@example.com>" });
    const sample = deps.composer.email(
      { ...(items[0] as unknown as Subscriber), email: "raw@example.com" },
      course.lessons[0]?.id ?? course.welcome.id,
      clock.now(),
    );
    const sids = items.map((i) => String(i.sid));
    const rawCpuFrom = process.cpuUsage();
    const raw = await drive(emails, CONCURRENCY, async (i) => {
      await mailer.send({ ...sample, to: `raw${i % SUBSCRIBERS}@example.com` });
      await doc.send(
        new UpdateCommand({
          TableName: TABLE_NAME,
          Key: subscriberKey(sids[i % sids.length] as string),
          UpdateExpression: "SET rawBench = :n",
          ExpressionAttributeValues: { ":n": i },
        }),
      );
    });

    const rawCpu = cpuMs(process.cpuUsage(rawCpuFrom));

    // The floor: the very requests the issue allows an email (a conditional claim returning the
    // item, a consistent read, the SendEmail, a conditional advance), made bare with no code of
    // ours in between, at the same concurrency. What the project takes beyond it is ours.
    const floorCpuFrom = process.cpuUsage();
    const floor = await drive(emails, CONCURRENCY, async (i) => {
      const Key = subscriberKey(sids[i % sids.length] as string);
      const lease = `floor${i}`;
      await doc.send(
        new UpdateCommand({
          TableName: TABLE_NAME,
          Key,
          UpdateExpression: "SET #lease = :lease, #floorDue = :due",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#lease": "floorLease", "#floorDue": "floorDue" },
          ExpressionAttributeValues: { ":lease": lease, ":due": new Date(i).toISOString() },
          ReturnValues: "ALL_NEW",
        }),
      );
      await doc.send(new GetCommand({ TableName: TABLE_NAME, Key, ConsistentRead: true }));
      await mailer.send({ ...sample, to: `floor${i % SUBSCRIBERS}@example.com` });
      await doc.send(
        new UpdateCommand({
          TableName: TABLE_NAME,
          Key,
          UpdateExpression: "SET #floorDue = :due, floorSent = :n REMOVE #lease",
          ConditionExpression: "#lease = :lease",
          ExpressionAttributeNames: { "#lease": "floorLease", "#floorDue": "floorDue" },
          ExpressionAttributeValues: {
            ":lease": lease,
            ":due": new Date(i + 1).toISOString(),
            ":n": i,
          },
        }),
      );
    });
    const floorCpu = cpuMs(process.cpuUsage(floorCpuFrom));
    const perEmail = (kinds: string[]) =>
      kinds.reduce((n, k) => n + (drip.byKind[k] ?? 0), 0) / delivered;
    const subscriberRequests = perEmail(["UpdateItem SUB", "GetItem SUB"]);
    const rows: BenchRow[] = [
      {
        measure: `${SUBSCRIBERS}-subscriber sequence (${emails} emails), local stack, wall time`,
        project: round(projectMs / 1000),
        baseline: round(raw.ms / 1000),
        ratio: round(projectMs / raw.ms),
        goal: "<= 1.5x raw SendEmail + UpdateItem",
        met: projectMs <= 1.5 * raw.ms,
        unit: "s",
        note: `${ticks} ticks (virtual days), ${CONCURRENCY} send workers and ${CONCURRENCY} raw in flight, pacing lifted to ${SEND_RATE}/s; CPU time of this process per email ${round(projectCpu / delivered)} ms, raw ${round(rawCpu / emails)} ms (${round(projectCpu / rawCpu)}x: the emulators run in this process, so every request costs CPU here); floor, the same emails as the three DynamoDB requests the issue allows (conditional claim, consistent read, conditional advance) and the SendEmail, bare, no code of ours: ${round(floor.ms / 1000)} s, ${round(floor.ms / raw.ms)}x raw, CPU ${round(floorCpu / emails)} ms per email; the project is ${round(projectMs / floor.ms)}x its floor`,
      },
      {
        measure: "emails lost / duplicated (read from the SES stand-in)",
        project: lost + duplicates,
        baseline: 0,
        ratio: lost + duplicates,
        goal: "0 lost, 0 duplicates",
        met: lost === 0 && duplicates === 0 && delivered === emails,
        note: `${delivered} of ${emails} delivered, ${lost} lost, ${duplicates} duplicates`,
      },
      {
        measure: "DynamoDB requests per drip email on its subscriber",
        project: round(subscriberRequests),
        baseline: 3,
        ratio: round(subscriberRequests / 3),
        goal: "<= 3 (claim, look, advance)",
        met: subscriberRequests <= 3,
        unit: "requests",
        note: `${perUnit(drip.byKind, delivered)} (${round(drip.total / delivered)} in all: due-index queries by the page, counters by the tally)`,
      },
    ];
    const input: CostInput = {
      emailsPerSubscriber: perPerson,
      signup: probe.perPerson,
      drip: { requests: drip.byKind, consumed: drip.consumed, emails: delivered },
      // Wall time × workers / emails: what a worker spent per email, waiting included.
      sendJobMs: (projectMs * CONCURRENCY) / delivered,
      webMs: probe.webMs,
      webBytes: probe.webBytes,
      logBytesPerSubscriber: signupLogBytes + dripLogBytes,
      idleTick,
    };
    rows.push(...costRows(input));
    return rows;
  } finally {
    await stack.stop();
  }
};

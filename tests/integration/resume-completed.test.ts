import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { subscriberKey } from "../../functions/adapters/table";
import type { Logger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { dueShard } from "../../functions/core/tokens";
import { DUE_SHARDS } from "../../functions/core/transitions";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

/**
 * A lesson appended after people completed the sequence is offered to every one of them at the
 * next start. One person's failed write (a throttled request) must not stop the others, and
 * the next start must offer it to that person: nobody is left out for good, nobody gets it twice.
 */

const root = mkdtempSync(join(tmpdir(), "funnel-resume-"));
const contentDir = join(root, "content");
const dataDir = join(root, "data");
cpSync("content", contentDir, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const clock = new ManualClock();
const errors: string[] = [];
const logger: Logger = {
  info() {},
  warn: (msg) => errors.push(`warn ${msg}`),
  error: (msg) => errors.push(`error ${msg}`),
};
const subjects: { to: string; subject: string }[] = [];
/** The subscriber key whose next conditional update fails once, as a throttled request would. */
let failOnce: string | undefined;
let stack: LocalStack;

function throttleOnce(dynamo: DynamoDBClient) {
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      // Marshalled or not, depending on where the document client's step ran.
      const pk = (args.input as { Key?: { pk?: string | { S?: string } } }).Key?.pk;
      const key = typeof pk === "string" ? pk : pk?.S;
      if (
        failOnce &&
        /^Update(Item)?Command$/.test(context.commandName ?? "") &&
        key === failOnce
      ) {
        failOnce = undefined;
        throw Object.assign(new Error("throttled"), {
          name: "ProvisionedThroughputExceededException",
          $metadata: {},
        });
      }
      return next(args);
    },
    { step: "initialize", name: "throttleOnce" },
  );
}

async function start() {
  stack = await startLocalStack({
    clock,
    logger,
    contentDir,
    dataDir,
    maxSendRate: 10_000,
    clients: ({ dynamo, ses }) => {
      throttleOnce(dynamo);
      ses.middlewareStack.add(
        (next) => async (args) => {
          const out = await next(args);
          const input = args.input as {
            Destination?: { ToAddresses?: string[] };
            Content?: { Simple?: { Subject?: { Data?: string } } };
          };
          subjects.push({
            to: input.Destination?.ToAddresses?.[0] ?? "",
            subject: input.Content?.Simple?.Subject?.Data ?? "",
          });
          return out;
        },
        { step: "initialize", name: "recordSends" },
      );
    },
  });
}
afterAll(async () => {
  await stack?.stop();
});

async function live(days: number) {
  for (let t = 0; t < days; t += 0.25) {
    clock.advance(0.25 * DAY_MS);
    await stack.tick();
  }
}
const got = (email: string, subject: string) =>
  subjects.filter((s) => s.to === email && s.subject === subject).length;

describe("lessons appended after people completed the sequence", () => {
  it("reach every completed subscriber even when one person's write fails at the first start", async () => {
    const people = ["ada", "bo", "cy", "di", "ed", "flo"].map((n) => `${n}@example.com`);
    await start();
    for (const email of people) {
      await subscribe(stack.deps, {
        email,
        firstName: "",
        timeZone: "UTC",
        consent: { form: "test", textVersion: "1" },
      });
      await confirm(stack.deps, sidFor(stack.deps, email));
    }
    await stack.drain();
    await live(30);
    for (const email of people) {
      expect((await stack.deps.store.get(sidFor(stack.deps, email)))?.status).toBe("completed");
    }
    // The unlucky one is in the first shard read, so the others come after the failure.
    const shardOf = (email: string) => Number(dueShard(sidFor(stack.deps, email), DUE_SHARDS));
    const [unlucky] = [...people].sort((a, b) => shardOf(a) - shardOf(b)) as [string];
    expect(people.some((e) => shardOf(e) > shardOf(unlucky))).toBe(true);
    const unluckySid = sidFor(stack.deps, unlucky);
    await stack.stop();

    // The teacher appends a lesson and restarts; the first write for one person is throttled.
    writeFileSync(
      join(contentDir, "lessons", "99-appended.md"),
      "---\nid: appended\nsubject: Appended later\npreheader: A lesson added later.\ndelayDays: 1\n---\n\nA lesson the teacher added after the others.\n",
    );
    failOnce = subscriberKey(unluckySid).pk;
    await start();
    expect(failOnce).toBeUndefined(); // the failure was met
    expect(errors).toEqual(["error some completed subscribers were not offered the new lessons"]);
    await live(3);
    for (const email of people) {
      expect(got(email, "Appended later"), email).toBe(email === unlucky ? 0 : 1);
    }

    // The next start (the next cold start on AWS) offers it to the one left out.
    await stack.stop();
    await start();
    await live(3);
    for (const email of people) {
      expect(got(email, "Appended later"), email).toBe(1);
      expect((await stack.deps.store.get(sidFor(stack.deps, email)))?.status).toBe("completed");
    }
    expect(errors).toHaveLength(1);
  }, 120_000);
});

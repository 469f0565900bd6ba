import type { BatchWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { scanTable } from "./abuse";
import { inbox, trackedLinks } from "./inbox";

let stack: LocalStack;
const clock = new ManualClock();
/** How many BatchWrite calls answer with part of their work left undone, as DynamoDB may. */
let partialBatches = 0;
/** Erase this subscriber the moment a click on their link reads its record of opens. */
let eraseOnClickRead: string | undefined;

beforeAll(async () => {
  stack = await startLocalStack({
    clock,
    logger: silentLogger,
    clients: ({ dynamo }) => {
      dynamo.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== "BatchWriteItemCommand" || partialBatches <= 0) {
            return next(args);
          }
          partialBatches--;
          // Do half, hand the rest back as UnprocessedItems.
          const input = args.input as BatchWriteCommandInput & {
            RequestItems: Record<string, unknown[]>;
          };
          const [table, requests] = Object.entries(input.RequestItems)[0] as [string, unknown[]];
          const half = Math.ceil(requests.length / 2);
          const done = await next({
            ...args,
            input: { RequestItems: { [table]: requests.slice(0, half) } },
          });
          const rest = requests.slice(half);
          (done.output as { UnprocessedItems?: unknown }).UnprocessedItems = rest.length
            ? { [table]: rest }
            : {};
          return done;
        },
        { step: "serialize", name: "partialBatches", priority: "high" },
      );
      dynamo.middlewareStack.add(
        (next, context) => async (args) => {
          // Seen before the document client marshals its input: plain strings, or `{ S }`.
          const sk = (args.input as { Key?: { sk?: string | { S?: string } } }).Key?.sk;
          const text = typeof sk === "string" ? sk : sk?.S;
          const sid = eraseOnClickRead;
          if (sid && /^Get/.test(context.commandName ?? "") && text?.startsWith("CLICKS#")) {
            eraseOnClickRead = undefined;
            await stack.deps.store.erase(sid);
          }
          return next(args);
        },
        { step: "initialize", name: "eraseOnClickRead" },
      );
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

it("erase retries what DynamoDB left undone until every item of the subscriber is gone", async () => {
  const email = "erase.me@example.com";
  const sid = sidFor(stack.deps, email);
  await subscribe(stack.deps, {
    email,
    firstName: "",
    timeZone: "UTC",
    consent: { form: "test", textVersion: "1" },
  });
  await confirm(stack.deps, sid);
  await stack.drain();
  for (let i = 0; i < 30; i++) {
    await stack.deps.store.recordClick(sid, {
      link: `l${i}`,
      at: new Date(clock.now() + i).toISOString(),
      scanner: false,
    });
  }
  const mine = async () =>
    Object.keys(await scanTable(stack.dynamoEndpoint)).filter((k) => k.startsWith(`SUB#${sid} `));
  expect((await mine()).length).toBe(31);
  partialBatches = 5;
  await stack.deps.store.erase(sid);
  expect(partialBatches).toBe(0); // every partial answer was met with a retry
  expect(await mine()).toEqual([]);

  // Its old links still redirect, but nothing is re-created for the erased subscriber.
  const mail = await inbox(stack.inboxUrl, email);
  const link = trackedLinks(mail.at(-1)?.body.html ?? "", stack.siteUrl).masterclass as string;
  const click = await stack.app.request(link.slice(stack.siteUrl.length), { redirect: "manual" });
  expect(click.status).toBe(302);
  const token = link.split("/").at(-1) as string;
  const play = await stack.app.request("/api/events/play", {
    method: "POST",
    headers: { cookie: `hh_view=${token}` },
  });
  expect(play.status).toBe(204);
  expect(await mine()).toEqual([]);
  // The old unsubscribe and manage links say the data was erased, and change nothing.
  for (const path of [`/u?t=${token}`, `/manage?t=${token}`]) {
    const res = await stack.app.request(path);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("erased");
  }
  expect(await mine()).toEqual([]);
});

it("a leaked link replayed in a loop still redirects, but records stay bounded", async () => {
  const email = "leaky@example.com";
  const sid = sidFor(stack.deps, email);
  await subscribe(stack.deps, {
    email,
    firstName: "",
    timeZone: "UTC",
    consent: { form: "test", textVersion: "1" },
  });
  await confirm(stack.deps, sid);
  await stack.drain();
  const mail = await inbox(stack.inboxUrl, email);
  const link = trackedLinks(mail.at(-1)?.body.html ?? "", stack.siteUrl).masterclass as string;
  const path = link.slice(stack.siteUrl.length);
  for (let i = 0; i < 80; i++) {
    clock.advance(1); // each click its own moment, so each would be its own record
    const res = await stack.app.request(path, { redirect: "manual" });
    expect(res.status).toBe(302);
  }
  const clicks = await stack.deps.store.clicks(sid);
  expect(clicks.length).toBeGreaterThan(0);
  expect(clicks.length).toBeLessThanOrEqual(31);
});

it("a click that lands while its subscriber is being erased leaves nothing of them behind", async () => {
  const email = "erase.race@example.com";
  const sid = sidFor(stack.deps, email);
  await subscribe(stack.deps, {
    email,
    firstName: "",
    timeZone: "UTC",
    consent: { form: "test", textVersion: "1" },
  });
  await confirm(stack.deps, sid);
  await stack.drain();
  const mail = await inbox(stack.inboxUrl, email);
  const link = trackedLinks(mail.at(-1)?.body.html ?? "", stack.siteUrl).masterclass as string;
  clock.advance(60_000);
  // The click reads the profile (still there); the erase lands before it records the open.
  eraseOnClickRead = sid;
  const click = await stack.app.request(link.slice(stack.siteUrl.length), { redirect: "manual" });
  expect(click.status).toBe(302);
  expect(eraseOnClickRead).toBeUndefined(); // the erase did land in that window
  const mine = Object.keys(await scanTable(stack.dynamoEndpoint)).filter((k) =>
    k.startsWith(`SUB#${sid} `),
  );
  expect(mine).toEqual([]);
});

it("after an erase and a new signup, links from before act on nothing (a new generation)", async () => {
  const email = "again@example.com";
  const sid = sidFor(stack.deps, email);
  const join = () =>
    subscribe(stack.deps, {
      email,
      firstName: "",
      timeZone: "UTC",
      consent: { form: "test", textVersion: "1" },
    });
  await join();
  await confirm(stack.deps, sid);
  await stack.drain();
  const mail = await inbox(stack.inboxUrl, email);
  const old = trackedLinks(mail.at(-1)?.body.html ?? "", stack.siteUrl).masterclass as string;
  const token = old.split("/").at(-1) as string;
  const first = (await stack.deps.store.get(sid))?.generation;
  await stack.deps.store.erase(sid);
  await join();
  await confirm(stack.deps, sid);
  await stack.drain();
  expect((await stack.deps.store.get(sid))?.generation).not.toBe(first);
  const res = await stack.app.request(`/u?t=${token}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
  expect(res.status).toBeLessThan(500);
  expect((await stack.deps.store.get(sid))?.status).toBe("active");
});

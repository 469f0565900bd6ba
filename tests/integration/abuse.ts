import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, expect, vi } from "vitest";
import type { Logger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { sidFor } from "../../functions/funnel/subscriptions";
import { forwardedFor } from "../../functions/http/context";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn, type StoredEmail, trackedLinks } from "./inbox";
import { ripeStamp } from "./stamp";

/**
 * What the app wrote to the table and handed to SES, seen from inside the SDK clients (an
 * `initialize` middleware on the real clients, not a mock: every call still reaches the emulator).
 */
export class WriteRecorder {
  readonly writes: { command: string; pk: string; sk: string }[] = [];
  /** Single-item reads, by key (what a path reads before it writes). */
  readonly reads: { command: string; pk: string }[] = [];
  sends = 0;

  attach({ dynamo, ses }: { dynamo: DynamoDBClient; ses: SESv2Client }) {
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        this.record(context.commandName ?? "", args.input as Record<string, unknown>);
        return next(args);
      },
      { step: "initialize", name: "abuseTestWrites" },
    );
    ses.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^Send/.test(context.commandName ?? "")) this.sends++;
        return next(args);
      },
      { step: "initialize", name: "abuseTestSends" },
    );
  }

  private record(command: string, input: Record<string, unknown>) {
    const str = (v: unknown) =>
      typeof v === "string" ? v : String((v as { S?: string } | undefined)?.S ?? "?");
    const keyed = (key: unknown) => {
      const k = key as Record<string, unknown> | undefined;
      this.writes.push({ command, pk: str(k?.pk), sk: str(k?.sk) });
    };
    if (/^Get/.test(command)) {
      this.reads.push({ command, pk: str((input.Key as Record<string, unknown> | undefined)?.pk) });
      return;
    }
    if (/^Put/.test(command)) keyed(input.Item);
    else if (/^(Update|Delete)/.test(command)) keyed(input.Key);
    else if (/^BatchWrite/.test(command)) {
      for (const reqs of Object.values(input.RequestItems as Record<string, unknown[]>)) {
        for (const r of reqs as {
          PutRequest?: { Item: unknown };
          DeleteRequest?: { Key: unknown };
        }[])
          keyed(r.PutRequest?.Item ?? r.DeleteRequest?.Key);
      }
    }
  }

  /** Starts watching; the returned function tells what happened since. */
  watch() {
    const from = this.writes.length;
    const sends = this.sends;
    return () => {
      const since = this.writes.slice(from);
      return {
        subscriberWrites: since
          .filter((w) => !COUNTER.test(w.pk) && !RATE.test(w.pk))
          .map((w) => w.pk),
        statsWrites: since.filter((w) => COUNTER.test(w.pk)).length,
        sends: this.sends - sends,
      };
    };
  }
}

/** Counters (daily `STATS#`, sharded `STAT#`) and per-client rate items carry no identity. */
const COUNTER = /^STATS?#/;
const RATE = /^RATE#/;

export type Items = Record<string, Record<string, AttributeValue>>;

/** Reads the whole table (tests only: the app never scans), keyed by `pk sk`. */
export async function scanTable(endpoint: string): Promise<Items> {
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const items: Items = {};
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: "healthy-hips", ExclusiveStartKey }),
      );
      for (const item of page.Items ?? []) items[`${item.pk?.S} ${item.sk?.S}`] = item;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  } finally {
    client.destroy();
  }
}

/** Only the subscriber items (`SUB#…`), for "nothing was written" comparisons. */
export const subscriberItems = (items: Items): Items =>
  Object.fromEntries(Object.entries(items).filter(([k]) => k.startsWith("SUB#")));

const num = (v: AttributeValue | undefined) => Number(v?.N ?? 0);

/**
 * Between two snapshots, the only changes are new click records flagged `scanner` and higher
 * scanner counters: no profile changed, nothing was deleted, no human click or play counted.
 */
export function expectOnlyScannerClicks(before: Items, after: Items) {
  for (const key of Object.keys(before)) expect(after[key], `${key} still exists`).toBeDefined();
  for (const [key, item] of Object.entries(after)) {
    if (COUNTER.test(key) || RATE.test(key)) {
      for (const [attr, value] of Object.entries(item)) {
        if (/^clicks:|^humanClicks$|^clicked$|^watched$|^plays$/.test(attr))
          expect(num(value), `${key} ${attr}`).toBe(num(before[key]?.[attr]));
      }
      continue;
    }
    if (CLICKS.test(key)) {
      // A link's record of opens: scanners' entries may be added, people's stay as they were.
      expect(peopleIn(item), `${key}: no person's open recorded`).toEqual(peopleIn(before[key]));
      continue;
    }
    if (before[key]) {
      expect(item, key).toEqual(before[key]);
      continue;
    }
    expect(key).toMatch(/^SUB#\S+ CLICK#/);
    expect(item.scanner, `${key} is flagged as a scanner click`).toEqual({ BOOL: true });
  }
}

/** A subscriber's record of one link's opens (`CLICKS#<link>`). */
const CLICKS = /^SUB#\S+ CLICKS#/;
const peopleIn = (item: Record<string, AttributeValue> | undefined) =>
  (item?.recent?.L ?? []).filter((e) => e.M?.scanner?.BOOL !== true);

/** A JSON refusal as the API promises it: `{ error: string, issues: [...] }`. */
export function expectJsonError(status: number, type: string | null, text: string) {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  expect(type ?? "").toMatch(/application\/json/);
  const body = JSON.parse(text) as { error?: unknown; issues?: unknown };
  expect(typeof body.error).toBe("string");
  expect(Array.isArray(body.issues)).toBe(true);
}

/** A friendly page: 4xx, HTML, our layout. */
export function expectErrorPage(status: number, type: string | null, text: string) {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  expect(type ?? "").toMatch(/text\/html/);
  expect(text).toMatch(/<html/i);
}

export const JSON_TYPE = "application/json";
export const FORM_TYPE = "application/x-www-form-urlencoded";

/**
 * One local stack for an abuse test file, started in `beforeAll` and stopped in `afterAll`,
 * with the helpers every such file uses. Requests arrive from one socket, so X-Forwarded-For
 * stands in for many clients. Every log and console line of the file is kept, and when the
 * file ends none may carry an address, a name the file signed up with, or a token.
 */
export function abuseStack() {
  const clock = new ManualClock();
  const recorder = new WriteRecorder();
  const logLines: string[] = [];
  const consoleLines: string[] = [];
  /** Every address and first name the file signs up with. */
  const usedEmails = new Set<string>();
  const usedNames = new Set<string>();
  const capture =
    (level: string): Logger["info"] =>
    (message, data) =>
      logLines.push(`${level} ${message} ${JSON.stringify(data ?? {})}`);
  const logger: Logger = { info: capture("info"), warn: capture("warn"), error: capture("error") };
  let started: LocalStack | undefined;
  let ipCount = 0;

  beforeAll(async () => {
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        consoleLines.push(
          args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "),
        );
      });
    }
    started = await startLocalStack({
      clock,
      logger,
      maxSendRate: 1000,
      clientIp: forwardedFor,
      clients: (c) => recorder.attach(c),
    });
  });
  afterAll(async () => {
    try {
      if (started) expect(personalDataIn([...logLines, ...consoleLines], env)).toEqual([]);
    } finally {
      await started?.stop();
      vi.restoreAllMocks();
    }
  });

  const env = {
    clock,
    recorder,
    logLines,
    consoleLines,
    usedEmails,
    usedNames,
    get stack(): LocalStack {
      if (!started) throw new Error("the local stack starts in beforeAll");
      return started;
    },
    /** A client address nobody else in this file uses, so per-IP limits stay out of the way. */
    freshIp(): string {
      const n = ++ipCount;
      return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    },
    /** The app in-process (`app.request` may answer synchronously; this always gives a promise). */
    request: async (path: string, init?: RequestInit): Promise<Response> =>
      env.stack.app.request(path, init),
    pathOf: (url: string): string => url.slice(env.stack.siteUrl.length),
    tokenOf: (url: string) => new URL(url).searchParams.get("t") as string,
    subscriber: (email: string): ReturnType<LocalStack["deps"]["store"]["get"]> =>
      env.stack.deps.store.get(sidFor(env.stack.deps, email)),

    /**
     * A JSON signup with a ripe stamp unless the body names its own `stamp`; waits until the
     * queued confirmation job has run, so the inbox tells what was sent.
     */
    async signupJson(body: Record<string, unknown>, ip: string = env.freshIp()): Promise<Response> {
      if (typeof body.email === "string") usedEmails.add(body.email.trim().toLowerCase());
      if (typeof body.firstName === "string") usedNames.add(body.firstName);
      const res = await env.request("/api/subscribe", {
        method: "POST",
        headers: { "content-type": JSON_TYPE, "x-forwarded-for": ip },
        body: JSON.stringify(
          "stamp" in body ? body : { ...body, stamp: ripeStamp(env.stack.deps) },
        ),
      });
      await env.stack.drain();
      return res;
    },

    /** The same as a plain form post. */
    async signupForm(
      fields: Record<string, string>,
      ip: string = env.freshIp(),
    ): Promise<Response> {
      if (fields.email) usedEmails.add(fields.email.trim().toLowerCase());
      if (fields.firstName) usedNames.add(fields.firstName);
      const res = await env.request("/api/subscribe", {
        method: "POST",
        headers: { "content-type": FORM_TYPE, "x-forwarded-for": ip },
        // `stamp: undefined` posts no stamp at all.
        body: new URLSearchParams(
          "stamp" in fields
            ? Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
            : { ...fields, stamp: ripeStamp(env.stack.deps) },
        ).toString(),
      });
      await env.stack.drain();
      return res;
    },

    /** Moves the clock by `days` in quarter-day steps, running the scheduler at each. */
    async live(days: number): Promise<void> {
      for (let t = 0; t < days - 1e-9; t += 0.25) {
        clock.advance(0.25 * DAY_MS);
        await env.stack.tick();
      }
    },

    async signUpAndConfirm(
      email: string,
      firstName = "",
    ): Promise<{ confirmUrl: string; confirmedPage: string; welcome: StoredEmail }> {
      expect((await env.signupJson({ email, firstName })).status).toBe(202);
      const [confirmation] = await inbox(env.stack.inboxUrl, email);
      const url = linkIn(confirmation?.body.html ?? "", `${env.stack.siteUrl}/confirm?t=`);
      const res = await env.request(env.pathOf(url), { method: "POST" });
      expect(res.status).toBe(303);
      // The page the press lands on, as the browser follows the redirect.
      const landed = await env.request(res.headers.get("location") ?? "/");
      expect(landed.status).toBe(200);
      await env.stack.drain();
      const mail = await inbox(env.stack.inboxUrl, email);
      return {
        confirmUrl: url,
        confirmedPage: await landed.text(),
        welcome: mail[1] as StoredEmail,
      };
    },

    /** The personal links of a marketing email. */
    linksOf(email: StoredEmail): {
      unsubscribe: string;
      manage: string;
      tracked: ReturnType<typeof trackedLinks>;
    } {
      const html = email.body.html;
      return {
        unsubscribe: linkIn(html, `${env.stack.siteUrl}/u?t=`),
        manage: linkIn(html, `${env.stack.siteUrl}/manage?t=`),
        tracked: trackedLinks(html, env.stack.siteUrl),
      };
    },

    allHrefs: (email: StoredEmail) =>
      [...email.body.html.matchAll(/href="([^"]+)"/g)].map((m) =>
        (m[1] as string).replaceAll("&amp;", "&"),
      ),
  };
  return env;
}

/**
 * Lines that carry an email address, a first name the file used (4+ characters), or a token.
 */
export function personalDataIn(
  lines: string[],
  used: { usedEmails: Set<string>; usedNames: Set<string> },
  extra: { emails?: string[]; names?: string[] } = {},
): string[] {
  const names = [...used.usedNames, ...(extra.names ?? [])].filter((n) => n.trim().length >= 4);
  const secrets = [
    ...[...used.usedEmails, ...(extra.emails ?? [])].map((e) => ({ what: "address", text: e })),
    ...names.map((n) => ({ what: "name", text: n })),
    ...names.map((n) => ({ what: "name (JSON)", text: JSON.stringify(n).slice(1, -1) })),
  ];
  const patterns = [
    { what: "token", re: /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/ },
    { what: "address", re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/ },
    { what: "encoded @", re: /%40|\\u0040/i },
  ];
  const leaks: string[] = [];
  for (const line of lines) {
    const lower = line.toLowerCase();
    for (const { what, re } of patterns) if (re.test(line)) leaks.push(`${what}: ${line}`);
    for (const { what, text } of secrets) {
      if ((what === "address" ? lower : line).includes(text)) leaks.push(`${what}: ${line}`);
    }
  }
  return leaks;
}

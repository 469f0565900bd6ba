import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../functions/core/ports";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox } from "./inbox";

/**
 * SES refusals by kind, injected into the real SES client (aws-ses-v2-local behind it): a bad
 * recipient skips one email for one person; an account-level refusal skips nobody, halts all
 * sending without a storm of calls, alarms, and resumes by itself; throttling is retried.
 */
let stack: LocalStack;
/** Decides, per SendEmail call, whether SES refuses it (and how). */
let refuse: (to: string) => Error | undefined = () => undefined;
let calls = 0;
const errors: string[] = [];
const logger: Logger = {
  info() {},
  warn() {},
  error: (message) => errors.push(message),
};

const sesError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

beforeAll(async () => {
  stack = await startLocalStack({
    clock: new ManualClock(),
    logger,
    maxSendRate: 1000,
    halt: { baseMs: 100, maxMs: 400 },
    queue: { concurrency: 8, baseDelayMs: 5, maxAttempts: 1000 },
    clients: ({ ses }) => {
      ses.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== "SendEmailCommand") return next(args);
          calls++;
          const input = (args as { input: { Destination?: { ToAddresses?: string[] } } }).input;
          const error = refuse(input.Destination?.ToAddresses?.[0] ?? "");
          if (error) throw error;
          return next(args);
        },
        { step: "initialize", name: "refusals", priority: "high" },
      );
    },
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

/** Signs up and confirms `n` people (their confirmations go out unrefused). */
async function people(prefix: string, n: number) {
  const emails = Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);
  refuse = () => undefined;
  for (const email of emails) {
    await subscribe(stack.deps, {
      email,
      firstName: "",
      timeZone: "UTC",
      consent: { form: "test", textVersion: "1" },
    });
  }
  // Confirmations travel the send queue: let them go out before the refusals start.
  await stack.drain();
  return emails;
}

const welcomed = async (email: string) =>
  (await inbox(stack.inboxUrl, email)).filter((m) => m.subject === stack.course.welcome.subject)
    .length;
const WELCOME = () => stack.course.welcome.id;
const sub = (email: string) => stack.deps.store.get(sidFor(stack.deps, email));

describe("SES refusals by kind", () => {
  it("a recipient-level reject skips that email for that person only, recorded, no alarm", async () => {
    const emails = await people("bad", 4);
    const [bad, ...good] = emails as [string, ...string[]];
    refuse = (to) => (to === bad ? sesError("MessageRejected", 400) : undefined);
    errors.length = 0;
    const before = calls;
    for (const email of emails) await confirm(stack.deps, sidFor(stack.deps, email));
    await stack.drain();

    expect(calls - before).toBe(4);
    for (const email of good) expect(await welcomed(email)).toBe(1);
    const refused = await sub(bad);
    expect(refused?.failures).toEqual([
      expect.objectContaining({ id: WELCOME(), reason: "MessageRejected" }),
    ]);
    // Moved past the welcome email, on to lesson 1 when it is due: never retried forever.
    expect(refused?.lastId).toBe(WELCOME());
    expect(refused?.nextId).toBe(stack.course.lessons[0]?.id);
    expect(refused?.dueAt).toBeDefined();
    expect(errors).toEqual([]);
  });

  it.each([
    ["sending paused", () => sesError("SendingPausedException", 400)],
    ["MAIL FROM not verified", () => sesError("MailFromDomainNotVerifiedException", 400)],
    [
      "sender identity not verified",
      () =>
        sesError(
          "MessageRejected",
          400,
          "Email address is not verified. The following identities failed the check in region EU-WEST-1: hello@healthy-hips.example",
        ),
    ],
    ["configuration set missing", () => sesError("NotFoundException", 404)],
    ["access denied after an IAM change", () => sesError("AccessDeniedException", 403)],
  ])(
    "an account-level refusal (%s) skips nobody, halts everyone with backoff, alarms, and resumes by itself",
    async (_label, error) => {
      const emails = await people(`acct${calls}-`, 6);
      refuse = () => error();
      errors.length = 0;
      const before = calls;
      for (const email of emails) await confirm(stack.deps, sidFor(stack.deps, email));
      // A stretch of refusals: about a second, with six jobs retrying all along.
      await new Promise((r) => setTimeout(r, 1200));
      const during = calls - before;
      // One refused call, then one probe per halt (50-100, 100-200, then 200-400 ms): not a
      // storm of retries from six jobs.
      expect(during).toBeGreaterThanOrEqual(2);
      expect(during).toBeLessThanOrEqual(12);
      expect(errors.length).toBeGreaterThan(0);
      for (const email of emails) {
        const s = await sub(email);
        expect(s?.status).toBe("active");
        expect(s?.received ?? []).toEqual([]);
        expect(s?.failures ?? []).toEqual([]);
      }

      refuse = () => undefined;
      await stack.drain();
      for (const email of emails) {
        expect(await welcomed(email)).toBe(1);
        expect((await sub(email))?.lastId).toBe(WELCOME());
      }
    },
    30_000,
  );

  it("throttling and transient errors are retried and halt nobody, with no alarm", async () => {
    const emails = await people("slow", 5);
    let throttles = 3;
    let timeouts = 2;
    refuse = () => {
      if (throttles > 0 && throttles--) return sesError("TooManyRequestsException", 429);
      if (timeouts > 0 && timeouts--) return sesError("InternalFailure", 500);
      return undefined;
    };
    errors.length = 0;
    for (const email of emails) await confirm(stack.deps, sidFor(stack.deps, email));
    await stack.drain();
    for (const email of emails) {
      expect(await welcomed(email)).toBe(1);
      expect((await sub(email))?.failures ?? []).toEqual([]);
    }
    expect(throttles + timeouts).toBe(0);
    expect(errors).toEqual([]);
  });
});

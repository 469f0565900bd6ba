import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SESv2Client } from "@aws-sdk/client-sesv2";

/** A process dying mid-flight, as seen by the code that was running. */
export class SimulatedCrash extends Error {
  override name = "SimulatedCrash";
}

type Kind =
  | "ses throttled"
  | "ses timeout before send"
  | "ses timeout after accept"
  | "crash after ses accepted"
  | "dynamodb throttled"
  | "dynamodb timeout"
  | "crash after claim written"
  | "crash before advance written"
  | "crash after advance written"
  | "lease ran out during a slow SES call"
  | "unsubscribed while queued"
  | "unsubscribed while waiting for pacing"
  | "account-level refusal";

/** Faults that leave SES's message accepted and the advance unwritten: each may duplicate one email. */
export const AFTER_ACCEPT: Kind[] = [
  "ses timeout after accept",
  // SES accepted, the answer was slow, the lease ran out and another claim sent it again.
  "lease ran out during a slow SES call",
  "crash after ses accepted",
  "crash before advance written",
];

interface SendInput {
  Destination?: { ToAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string } } };
}

/** The subscriber a marshalled DynamoDB request is about (`pk = SUB#<sid>`), if any. */
function subscriberOf(args: unknown): string | undefined {
  // Before the document client marshals it the key is plain; after, `{ S: "..." }`.
  const pk = (args as { input?: { Key?: { pk?: string | { S?: string } } } }).input?.Key?.pk;
  const key = typeof pk === "string" ? pk : pk?.S;
  return key?.startsWith("SUB#") ? key.slice(4) : undefined;
}

const err = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: status ? { httpStatusCode: status } : {} });

/**
 * Injects faults into real SDK clients through their middleware stacks: errors before a call
 * goes out (nothing happened), and crashes or timeouts after it came back (it did happen).
 * Random from a seed; concurrent sends still interleave differently from run to run.
 */
/** Races the test plays out from inside a call, with the subscriber id the call is about. */
export interface Races {
  /** SES accepted this lesson and is slow to answer: meanwhile its lease runs out. */
  slowAccept?: (to: string) => Promise<void>;
  /** The subscriber was just claimed; the job is about to be queued. */
  claimed?: (sid: string) => Promise<void>;
  /** The send is about to look (its pacing wait is over). */
  looking?: (sid: string) => Promise<void>;
}

export function injectFaults(
  clients: { dynamo: DynamoDBClient; ses: SESv2Client },
  seed: number,
  races: Races = {},
) {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const counts = new Map<Kind, number>();
  /** Every message SES accepted, in order (cheaper to read back than the emulator's store). */
  const accepted: { to: string; subject: string }[] = [];
  let enabled = false;
  let accountRefusing = false;
  /** One race at a time; calls a race makes itself never start another. */
  let racing = false;
  const race = async (run: () => Promise<void>) => {
    racing = true;
    try {
      await run();
    } finally {
      racing = false;
    }
  };
  let advancesAfterAccept = 0;
  const hit = (kind: Kind, p: number) => {
    if (!enabled || random() >= p) return false;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return true;
  };

  clients.ses.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "SendEmailCommand") return next(args);
      if (accountRefusing && hit("account-level refusal", 1)) {
        throw err("SendingPausedException", 400);
      }
      if (hit("ses throttled", 0.06)) throw err("TooManyRequestsException", 429);
      if (hit("ses timeout before send", 0.02)) throw err("TimeoutError");
      const out = await next(args);
      const input = (args as { input?: SendInput }).input;
      accepted.push({
        to: input?.Destination?.ToAddresses?.[0] ?? "",
        subject: input?.Content?.Simple?.Subject?.Data ?? "",
      });
      const isLesson = JSON.stringify(input ?? {}).includes("List-Unsubscribe");
      if (isLesson && hit("ses timeout after accept", 0.01)) throw err("TimeoutError");
      if (isLesson && hit("crash after ses accepted", 0.01))
        throw new SimulatedCrash("after SES accepted");
      const { slowAccept } = races;
      if (isLesson && slowAccept && !racing && hit("lease ran out during a slow SES call", 0.004)) {
        await race(() => slowAccept(input?.Destination?.ToAddresses?.[0] ?? ""));
      }
      return out;
    },
    { step: "initialize", name: "sesFaults", priority: "high" },
  );

  clients.dynamo.middlewareStack.add(
    (next) => async (args) => {
      const input = (args as { input?: { ConditionExpression?: string } }).input ?? {};
      const condition = input.ConditionExpression ?? "";
      const isClaim = condition.includes("#dueAt = :dueAt");
      const isAdvance = condition.includes("#lease = :lease");
      const sid = subscriberOf(args);
      const isLook = (args as { input?: { ConsistentRead?: boolean } }).input?.ConsistentRead;
      const { looking, claimed } = races;
      if (
        isLook &&
        sid &&
        looking &&
        !racing &&
        hit("unsubscribed while waiting for pacing", 0.004)
      ) {
        await race(() => looking(sid));
      }
      if (isAdvance && hit("crash before advance written", 0.02)) {
        throw new SimulatedCrash("before advance");
      }
      if (hit("dynamodb throttled", 0.03)) {
        if (isAdvance) advancesAfterAccept++;
        throw err("ProvisionedThroughputExceededException", 400);
      }
      if (hit("dynamodb timeout", 0.01)) {
        if (isAdvance) advancesAfterAccept++;
        throw err("TimeoutError");
      }
      const out = await next(args);
      if (isClaim && sid && claimed && !racing && hit("unsubscribed while queued", 0.004)) {
        await race(() => claimed(sid));
      }
      if (isClaim && hit("crash after claim written", 0.02))
        throw new SimulatedCrash("after claim");
      if (isAdvance && hit("crash after advance written", 0.01))
        throw new SimulatedCrash("after advance");
      return out;
    },
    { step: "initialize", name: "dynamoFaults", priority: "high" },
  );

  return {
    accepted,
    enable(on = true) {
      enabled = on;
    },
    /** A stretch in which SES refuses the account (sending paused) for every send. */
    refuseAccount(on: boolean) {
      accountRefusing = on;
    },
    counts: () => Object.fromEntries(counts),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    /** Faults after SES accepted a lesson and before its advance was written. */
    afterAccept: () =>
      AFTER_ACCEPT.reduce((n, k) => n + (counts.get(k) ?? 0), 0) + advancesAfterAccept,
  };
}

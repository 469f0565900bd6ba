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
  | "advance failed after ses accepted"
  | "lease ran out during a slow SES call"
  | "account-level refusal";

/** One SES call that was accepted: recipient, email id, and when it started and was accepted. */
export interface Send {
  to: string;
  id: string;
  /** performance.now() as the sender's SDK call started, and as SES had accepted it. */
  start: number;
  accepted: number;
}

/** Places inside real calls where the test plays out a race (see ./fault-races.ts). */
export interface Hooks {
  /** A claim was written for `sid` (the email it is for: `nextId`); its job is not queued yet. */
  claimed?: (sid: string, nextId: string | undefined) => Promise<void>;
  /** A consistent read of `sid` is about to go out (a send's look is one). */
  reading?: (sid: string) => Promise<void>;
  /** The sender's SES call for email `id` to `to` has started; nothing has reached SES yet. */
  sesStarted?: (to: string, id: string) => Promise<void>;
  /** SES accepted email `id` for `to`. True: the answer comes back only after its lease ran out. */
  sesAccepted?: (to: string, id: string) => Promise<boolean>;
}

interface SendInput {
  Destination?: { ToAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string } } };
}
interface UpdateInput {
  ConditionExpression?: string;
  ConsistentRead?: boolean;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Plain or marshalled (`{ S: "..." }`) string attribute. */
const str = (v: unknown) =>
  typeof v === "string" ? v : ((v as { S?: string } | undefined)?.S ?? undefined);

/** The subscriber a DynamoDB request is about (`pk = SUB#<sid>`), if any. */
function subscriberOf(args: unknown): string | undefined {
  const key = str((args as { input?: { Key?: { pk?: unknown } } }).input?.Key?.pk);
  return key?.startsWith("SUB#") ? key.slice(4) : undefined;
}

/** The email id an advance records (`:entry` = [{ id, at, messageId }]), plain or marshalled. */
function advancedId(input: UpdateInput): string | undefined {
  const entry = input.ExpressionAttributeValues?.[":entry"];
  const first = Array.isArray(entry)
    ? (entry[0] as { id?: unknown })
    : (entry as { L?: { M?: { id?: unknown } }[] } | undefined)?.L?.[0]?.M;
  return str(first?.id);
}

const err = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: status ? { httpStatusCode: status } : {} });

/** An account-level refusal SES gives for every send, e.g. sending paused or an IAM change. */
export type AccountRefusal = { name: string; status: number };

/**
 * Injects faults into real SDK clients through their middleware stacks: errors before a call
 * goes out (nothing happened), crashes or timeouts after it came back (it did happen), and the
 * races of `hooks` from inside the calls. Random from a seed; concurrent sends still interleave
 * differently from run to run. Records every accepted send with its timing, and per
 * recipient and email how many faults after SES accepted it may have repeated it.
 */
export function injectFaults(
  clients: { dynamo: DynamoDBClient; ses: SESv2Client },
  opts: {
    seed: number;
    hooks: Hooks;
    /** Email id of an SES send, from its subject (undefined: not a funnel email). */
    idOf: (subject: string) => string | undefined;
    /** Recipient address of a subscriber id. */
    addressOf: (sid: string) => string | undefined;
  },
) {
  let state = opts.seed >>> 0 || 1;
  const random = () => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const counts = new Map<Kind, number>();
  const sends: Send[] = [];
  /** `${to} ${id}` -> faults after SES accepted that email for that recipient. */
  const mayRepeat = new Map<string, number>();
  /** Unconditional writes of subscribers leaving: sid -> the successful write's span. */
  const leaveWrites = new Map<string, { start: number; end: number }>();
  const leaving = new Set<string>();
  let refusal: AccountRefusal | undefined;
  let refusedCalls = 0;
  let enabled = false;
  const hit = (kind: Kind, p: number) => {
    if (!enabled || random() >= p) return false;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return true;
  };
  let afterAccept = 0;
  /** A fault after SES accepted `id` for `to` (`count`: not yet counted by {@link hit}). */
  const repeatable = (
    kind: Kind,
    to: string | undefined,
    id: string | undefined,
    count = false,
  ) => {
    if (count) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    afterAccept++;
    if (!to || !id) return;
    mayRepeat.set(`${to} ${id}`, (mayRepeat.get(`${to} ${id}`) ?? 0) + 1);
  };
  const now = () => performance.now();

  clients.ses.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "SendEmailCommand") return next(args);
      const start = now();
      const input = (args as { input?: SendInput }).input;
      const to = input?.Destination?.ToAddresses?.[0] ?? "";
      const id = opts.idOf(input?.Content?.Simple?.Subject?.Data ?? "");
      if (id && enabled) await opts.hooks.sesStarted?.(to, id);
      if (refusal && enabled) {
        refusedCalls++;
        counts.set("account-level refusal", (counts.get("account-level refusal") ?? 0) + 1);
        throw err(refusal.name, refusal.status);
      }
      if (hit("ses throttled", 0.06)) throw err("TooManyRequestsException", 429);
      if (hit("ses timeout before send", 0.02)) throw err("TimeoutError");
      const out = await next(args);
      if (!id) return out;
      sends.push({ to, id, start, accepted: now() });
      if (hit("ses timeout after accept", 0.01)) {
        repeatable("ses timeout after accept", to, id);
        throw err("TimeoutError");
      }
      if (hit("crash after ses accepted", 0.01)) {
        repeatable("crash after ses accepted", to, id);
        throw new SimulatedCrash("after SES accepted");
      }
      if (enabled && (await opts.hooks.sesAccepted?.(to, id))) {
        repeatable("lease ran out during a slow SES call", to, id, true);
      }
      return out;
    },
    { step: "initialize", name: "sesFaults", priority: "high" },
  );

  clients.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const input = ((args as { input?: UpdateInput }).input ?? {}) as UpdateInput;
      const condition = input.ConditionExpression ?? "";
      const isClaim = condition.includes("#dueAt = :dueAt");
      // Known by what it writes (the send record), not by its condition, which a test may break.
      const isAdvance = input.ExpressionAttributeNames?.["#log"] === "sends";
      const sid = subscriberOf(args);
      const to = sid && opts.addressOf(sid);
      const lost = () =>
        isAdvance && repeatable("advance failed after ses accepted", to, advancedId(input), true);
      if (sid && input.ConsistentRead && context.commandName === "GetItemCommand" && enabled) {
        await opts.hooks.reading?.(sid);
      }
      if (isAdvance && hit("crash before advance written", 0.02)) {
        repeatable("crash before advance written", to, advancedId(input));
        throw new SimulatedCrash("before advance");
      }
      if (hit("dynamodb throttled", 0.03)) {
        lost();
        throw err("ProvisionedThroughputExceededException", 400);
      }
      if (hit("dynamodb timeout", 0.01)) {
        lost();
        throw err("TimeoutError");
      }
      const leaveWrite = sid && leaving.has(sid) && condition.includes(":expected");
      const start = now();
      const out = await next(args);
      if (leaveWrite) leaveWrites.set(sid, { start, end: now() });
      if (isClaim && sid && enabled) {
        const attrs = (out as { output?: { Attributes?: { nextId?: unknown } } }).output
          ?.Attributes;
        await opts.hooks.claimed?.(sid, str(attrs?.nextId));
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
    sends,
    enable(on = true) {
      enabled = on;
    },
    /** A stretch in which SES refuses the account for every send (undefined: it accepts again). */
    refuseAccount(r: AccountRefusal | undefined) {
      refusal = r;
    },
    /** SES calls refused at the account level so far (a halt sends probes, not a storm). */
    refusedCalls: () => refusedCalls,
    /** Times the write that unsubscribes `sid` (call before, read {@link leftAt} after). */
    watchLeave(sid: string, on: boolean) {
      if (on) leaving.add(sid);
      else leaving.delete(sid);
    },
    /** Span of the conditional write that committed `sid`'s unsubscribe. */
    leftAt: (sid: string) => leaveWrites.get(sid),
    counts: () => Object.fromEntries(counts),
    /** Faults injected (an advance lost to a throttle counts once, as the throttle). */
    total: () =>
      [...counts.entries()]
        .filter(([k]) => k !== "advance failed after ses accepted")
        .reduce((a, [, n]) => a + n, 0),
    /** Faults after SES accepted an email and before its advance was written. */
    afterAccept: () => afterAccept,
    /** How many times `id` may have been repeated for `to` by such faults. */
    mayRepeat: (to: string, id: string) => mayRepeat.get(`${to} ${id}`) ?? 0,
  };
}

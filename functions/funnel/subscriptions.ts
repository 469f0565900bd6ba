import { randomInt } from "node:crypto";
import { emailKey } from "../core/email-address";
import { linkFits } from "../core/links";
import type { Consent, Subscriber } from "../core/subscriber";
import { subscriberId, type TokenClaims } from "../core/tokens";
import { type Decision, onConfirm, onFeedback, onSignup, onUnsubscribe } from "../core/transitions";
import { type DripDeps, kick } from "./drip";
import { readableExport } from "./my-data";
import { nextFor } from "./sequences";
import { countEmail, countSignup, countTransition, day, emailOf } from "./stats";

export interface FunnelDeps extends DripDeps {
  /** Key of the subscriber-id hash; never rotated. */
  idKey: string;
}

export interface SignupRequest {
  email: string;
  firstName: string;
  timeZone: string;
  consent: Omit<Consent, "at">;
}

const MAX_ATTEMPTS = 5;

/** Others kept writing the same subscriber; the change was not made. */
export class ContentionError extends Error {
  override name = "ContentionError";
}

export { day };

/**
 * Reads, decides with a pure rule, and writes on condition that nobody wrote in between;
 * on a lost race it reads again and decides again.
 */
export async function apply(
  deps: Pick<FunnelDeps, "store" | "clock">,
  sid: string,
  decide: (current: Subscriber | undefined, now: number) => Decision,
): Promise<{ decision: Decision; sub?: Subscriber; before?: Subscriber }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await deps.store.get(sid);
    const now = deps.clock.now();
    const decision = decide(current, now);
    if (decision.kind === "create") {
      if (await deps.store.create(decision.item)) {
        await countTransition(deps.store, undefined, decision.item, now);
        return { decision, sub: decision.item };
      }
    } else if (decision.kind === "update" && current) {
      const sub = await deps.store.update(
        sid,
        current.version,
        { ...decision.set, updatedAt: new Date(now).toISOString() },
        decision.remove,
      );
      if (sub) {
        await countTransition(deps.store, current, sub, now);
        return { decision, sub, before: current };
      }
    } else {
      return { decision, sub: current, before: current };
    }
  }
  throw new ContentionError("too much contention on one subscriber");
}

/**
 * Who a change is for: a verified link (acts only on the record it was signed for), or a
 * subscriber id from a trusted caller (the owner's tools, tests).
 */
export type Who = string | TokenClaims;
const sidOf = (who: Who) => (typeof who === "string" ? who : who.sid);
const speaksFor = (who: Who, sub: Subscriber | undefined) =>
  typeof who === "string" || linkFits(who, sub) ? sub : undefined;

/** The subscriber id an address is known by. */
export function sidFor(deps: Pick<FunnelDeps, "idKey">, email: string): string {
  return subscriberId(deps.idKey, emailKey(email));
}

/**
 * A signup. The common case, a new address, is one conditional put of the pending subscriber
 * and a queued confirmation job: nothing is read, no counter is written (the job carries the
 * signup to the send worker, which counts it), nothing is sent while the visitor waits. Only when the put finds the address known does it read and decide.
 * Every known address also queues a job (a confirmation, or a reminder for someone already
 * subscribed), so the answer and the work are alike whatever the address's state; the send
 * worker's throttles decide what goes out.
 */
export async function subscribe(deps: FunnelDeps, req: SignupRequest) {
  const sid = sidFor(deps, req.email);
  const { funnel } = deps.course;
  const input = (now: number) => ({
    sid,
    email: req.email,
    firstName: req.firstName,
    timeZone: req.timeZone,
    // Not `{ ...req.consent, at }`: a spread then a property is a new hidden class each time.
    consent: Object.assign({}, req.consent, { at: new Date(now).toISOString() }),
    sequenceId: funnel.sequence.id,
    generation: randomInt(1, 2 ** 31),
  });
  const now = deps.clock.now();
  const fresh = onSignup(undefined, input(now), now);
  let outcome: string;
  let queue = true;
  let signedUpAt: number | undefined;
  if (fresh.kind === "create" && (await deps.store.create(fresh.item))) {
    // Counted by the send worker with the job it queues, off the visitor's wait.
    signedUpAt = now;
    outcome = "new";
  } else {
    try {
      const { decision, before } = await apply(deps, sid, (current, t) =>
        onSignup(current, input(t), t),
      );
      queue = decision.kind !== "refuse" && Boolean(decision.sendConfirm);
      outcome = decision.kind === "noop" ? decision.reason : "signed up again";
      // Someone who had left and signs up again is a signup; a repeat while pending is not.
      if (decision.kind === "update" && before?.status !== "pending")
        await deps.store.count(day(now), { signups: 1 });
    } catch (e) {
      // A flood of signups for one address races on its one item; the evidence of a lost race
      // is dropped, the answer stays the same, and the job below is still queued.
      if (!(e instanceof ContentionError)) throw e;
      outcome = "contended";
    }
  }
  if (queue) {
    try {
      await deps.queue.enqueue([{ kind: "confirm", sid, ...(signedUpAt ? { signedUpAt } : {}) }]);
    } catch (e) {
      // The subscriber exists but no job carries its count: count it here, then fail.
      if (signedUpAt) await countSignup(deps.store, signedUpAt);
      throw e;
    }
  }
  deps.logger.info("signup", { outcome });
  return { sid, queued: queue };
}

/** The confirm page's POST: active now, welcome email claimed and queued at once. */
export async function confirm(deps: FunnelDeps, who: Who, evidence?: Omit<Consent, "at">) {
  const sid = sidOf(who);
  const { decision, sub } = await apply(deps, sid, (current, now) =>
    onConfirm(
      speaksFor(who, current),
      now,
      current && nextFor(deps.sequences, current),
      evidence && { ...evidence, at: new Date(now).toISOString() },
    ),
  );
  if (decision.kind === "refuse") return { ok: false as const, reason: decision.reason };
  if (decision.kind === "update") {
    const now = deps.clock.now();
    await deps.store.count(day(now), { confirmations: 1 });
    deps.logger.info("confirmed", { status: sub?.status });
    if (decision.kick) await kick(deps, sid, now);
  }
  return { ok: true as const };
}

/**
 * Unsubscribes (idempotent). No email is sent to the address afterwards. `emailId` names the
 * email whose link or List-Unsubscribe header was used, when known; the owner's own action
 * from the dashboard passes none and is attributed to no email.
 */
export async function unsubscribe(
  deps: FunnelDeps,
  who: Who,
  via: { emailId?: string; owner?: boolean } = {},
) {
  const { decision, before } = await apply(deps, sidOf(who), (current, now) =>
    onUnsubscribe(speaksFor(who, current), now),
  );
  if (decision.kind === "update") {
    await Promise.all([
      deps.store.count(day(deps.clock.now()), { unsubscribes: 1 }),
      via.owner ? undefined : countEmail(deps.store, emailOf(before, via), { unsubscribes: 1 }),
    ]);
    deps.logger.info("unsubscribed", { by: via.owner ? "owner" : "subscriber" });
  }
  return decision.kind === "update";
}

/** SES feedback: permanent bounce or complaint. The same event twice changes nothing. */
export async function feedback(
  deps: Pick<FunnelDeps, "store" | "clock"> & { logger?: FunnelDeps["logger"] },
  sid: string,
  kind: "bounced" | "complained",
  messageId?: string,
) {
  const { decision, before } = await apply(deps, sid, (current, now) =>
    onFeedback(current, kind, now),
  );
  if (decision.kind === "update") {
    const perEmail: Record<string, number> = { [kind === "bounced" ? "bounces" : "complaints"]: 1 };
    await Promise.all([
      deps.store.count(day(deps.clock.now()), { [kind]: 1 }),
      countEmail(deps.store, emailOf(before, { messageId }), perEmail),
    ]);
    deps.logger?.info(kind, { email: emailOf(before, { messageId }) ?? "unknown" });
  }
  return decision.kind === "update";
}

/** Everything stored about one subscriber, for the "export my data" button. */
export async function exportData(deps: FunnelDeps, who: Who) {
  const sid = sidOf(who);
  const sub = speaksFor(who, await deps.store.get(sid));
  if (!sub) return undefined;
  return readableExport(sub, await deps.store.clicks(sid), deps.course, deps.clock.now(), (id) =>
    deps.composer.linksOf(id),
  );
}

import * as z from "zod/mini";
import type { Logger } from "../core/ports";
import { type FunnelDeps, feedback, sidFor } from "../funnel/subscriptions";
import { SesEventError } from "./errors";

/** The EventBridge detail types the SES event destination publishes for our two event kinds. */
export const SES_DETAIL_TYPES = ["Email Bounced", "Email Complaint Received"] as const;

const Recipient = z.object({
  emailAddress: z.string().check(z.minLength(3), z.maxLength(512)),
});
const Mail = z.object({ messageId: z.string().check(z.minLength(1)) });

const Bounce = z.object({
  eventType: z.literal("Bounce"),
  bounce: z.object({
    bounceType: z.enum(["Permanent", "Transient", "Undetermined"]),
    bounceSubType: z.optional(z.string()),
    bouncedRecipients: z.array(Recipient).check(z.minLength(1)),
  }),
  mail: Mail,
});

const Complaint = z.object({
  eventType: z.literal("Complaint"),
  complaint: z.object({
    complainedRecipients: z.array(Recipient).check(z.minLength(1)),
    complaintFeedbackType: z.optional(z.string()),
  }),
  mail: Mail,
});

/** An SES event record as EventBridge delivers it (configuration-set event destination). */
export const SesEventSchema = z.object({
  source: z.literal("aws.ses"),
  "detail-type": z.enum(SES_DETAIL_TYPES),
  detail: z.discriminatedUnion("eventType", [Bounce, Complaint]),
});
export type SesEvent = z.infer<typeof SesEventSchema>;

/** What an event means for the list: who bounced or complained, or nothing at all. */
export type FeedbackAction =
  | { kind: "bounced" | "complained"; recipients: string[] }
  | { kind: "ignored"; reason: string };

/** Validates an EventBridge event; throws {@link SesEventError} naming the fields at fault. */
export function parseSesEvent(event: unknown): SesEvent {
  const result = SesEventSchema.safeParse(event);
  if (result.success) return result.data;
  const fields = [...new Set(result.error.issues.map((i) => i.path.join(".") || "(root)"))];
  throw new SesEventError(`not an SES bounce or complaint event (${fields.join(", ")})`);
}

/** `Name <a@b>` or `a@b` -> `a@b`. */
const bareAddress = (value: string) => /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value.trim();

/**
 * Only a permanent bounce or a complaint ends sending: a transient (or undetermined) bounce
 * is a full mailbox or a greylist, and SES has already retried it; a "not-spam" report is the
 * opposite of a complaint.
 */
export function feedbackAction(event: SesEvent): FeedbackAction {
  const { detail } = event;
  if (detail.eventType === "Bounce") {
    if (detail.bounce.bounceType !== "Permanent") {
      return { kind: "ignored", reason: `${detail.bounce.bounceType} bounce` };
    }
    const recipients = detail.bounce.bouncedRecipients.map((r) => bareAddress(r.emailAddress));
    return { kind: "bounced", recipients };
  }
  if (detail.complaint.complaintFeedbackType === "not-spam") {
    return { kind: "ignored", reason: "not-spam report" };
  }
  const recipients = detail.complaint.complainedRecipients.map((r) => bareAddress(r.emailAddress));
  return { kind: "complained", recipients };
}

/** What recording feedback reads: the store and clock (via `feedback`) and the id key. */
export type FeedbackDeps = Pick<FunnelDeps, "store" | "clock" | "idKey"> & { logger: Logger };

/**
 * Marks each recipient of a permanent bounce or a complaint. Idempotent: the same event again
 * changes nothing. Returns how many subscribers changed.
 */
export async function recordFeedback(deps: FeedbackDeps, event: SesEvent): Promise<number> {
  const action = feedbackAction(event);
  if (action.kind === "ignored") {
    deps.logger.info("ses feedback ignored", { reason: action.reason });
    return 0;
  }
  let changed = 0;
  for (const email of action.recipients) {
    // `feedback` only reads the store and the clock; see FeedbackDeps.
    if (await feedback(deps, sidFor(deps, email), action.kind, event.detail.mail.messageId))
      changed++;
  }
  deps.logger.info("ses feedback", {
    kind: action.kind,
    recipients: action.recipients.length,
    changed,
    messageId: event.detail.mail.messageId,
  });
  return changed;
}

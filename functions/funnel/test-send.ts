import type { OutgoingEmail } from "../adapters/mailer";
import type { Funnel } from "../core/content";
import { emailKey } from "../core/email-address";
import type { Subscriber } from "../core/subscriber";
import type { DripDeps } from "./drip";

/** A test send was refused: the address is not an owner's, or the email id is unknown. */
export class TestSendError extends Error {
  override name = "TestSendError";
}

/** The owner addresses: `owners` in funnel.yaml plus any the deployment adds. */
export function ownerAddresses(funnel: Funnel, extra: string[] = []): string[] {
  return [...(funnel.owners ?? []), ...extra];
}

/** Whether `address` is one of the owners' (compared as the signup form compares addresses). */
export function isOwner(owners: string[], address: string): boolean {
  const key = emailKey(address);
  return owners.some((o) => emailKey(o) === key);
}

/** Email ids a test can send, in sequence order: the confirmation, the welcome, each lesson. */
export function testableEmails(course: DripDeps["course"]): { id: string; subject: string }[] {
  return [course.confirm, course.welcome, ...course.lessons].map((e) => ({
    id: e.id,
    subject: e.subject,
  }));
}

/**
 * One email of the sequence for an owner, rendered from the content exactly as a subscriber
 * gets it, with `[Test]` before the subject. Its links are signed for a subscriber id that does
 * not exist. Throws {@link TestSendError} for an address that is not an owner's or an unknown id.
 */
export async function testEmail(
  deps: Pick<DripDeps, "course" | "composer" | "clock">,
  emailId: string,
  address: string,
  owners: string[],
): Promise<OutgoingEmail> {
  if (!isOwner(owners, address)) {
    throw new TestSendError("test emails go only to an owner address (owners in funnel.yaml)");
  }
  const { course } = deps;
  const now = deps.clock.now();
  const sub: Subscriber = {
    sid: "test-send",
    email: address,
    firstName: course.funnel.brand.teacher.split(" ")[0] ?? "",
    status: "active",
    version: 1,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    consent: { at: new Date(now).toISOString(), form: "test-send", textVersion: "test" },
    sequenceId: course.funnel.sequence.id,
    received: [],
    timeZone: course.funnel.sequence.timeZone,
    sends: [],
    confirmCount: 0,
    confirmWindowStart: new Date(now).toISOString(),
  };
  const inSequence = [course.welcome, ...course.lessons].some((e) => e.id === emailId);
  let email: OutgoingEmail;
  if (emailId === course.confirm.id) email = await deps.composer.confirmation(sub, now);
  else if (inSequence) email = deps.composer.email(sub, emailId, now);
  else {
    const ids = testableEmails(course).map((e) => e.id);
    throw new TestSendError(`no email '${emailId}' (one of: ${ids.join(", ")})`);
  }
  return { ...email, subject: `[Test] ${email.subject}` };
}

/**
 * Sends {@link testEmail} at once through `mailer`. Nothing is stored: no subscriber, no send
 * record, no counter. For the local command; the web app queues a test job instead.
 */
export async function sendTest(
  deps: Pick<DripDeps, "course" | "composer" | "mailer" | "clock" | "logger">,
  emailId: string,
  address: string,
  owners: string[],
): Promise<string> {
  const messageId = await deps.mailer.send(await testEmail(deps, emailId, address, owners));
  deps.logger.info("test email sent", { email: emailId });
  return messageId;
}

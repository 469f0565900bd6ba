import { createHash, randomBytes } from "node:crypto";
import type { SigninJob, TestSendJob } from "../core/ports";
import { loginEmail } from "../mail/login-email";
import type { ConfirmationDeps } from "./confirmations";
import type { SendOutcome } from "./drip";
import { ownerAddresses, TestSendError, testEmail } from "./test-send";

/** A sign-in link works once, within this long after it is sent. */
export const LOGIN_LINK_MS = 15 * 60_000;

/** What the send worker needs for owners' emails: where sign-in links point. */
export interface OwnerMailDeps extends ConfirmationDeps {
  /** The site's public address (locally, the running server's). */
  siteUrl: string;
}

/** A fresh secret for a login link or a session (256 bits), and the hash the table keeps. */
export function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString("base64url");
  return { secret, hash: hashSecret(secret) };
}

export const hashSecret = (secret: string) =>
  createHash("sha256").update(secret).digest("base64url");

/** An owner as a job names them: the hash of the address, never the address. */
export const ownerKey = (address: string) => hashSecret(address.toLowerCase());

const ownerOf = (deps: Pick<OwnerMailDeps, "course">, key: string) =>
  ownerAddresses(deps.course.funnel).find((o) => ownerKey(o) === key);

/** The queued sign-in email: enqueued by /admin/login, sent by the send worker. */
export const signinJob = (owner: string): SigninJob => ({ kind: "signin", owner: ownerKey(owner) });

/**
 * Sends an owner's sign-in link through the paced sender. The link is made after pacing, right
 * before SES, so its 15 minutes start when it leaves; an address no longer among the owners
 * gets nothing.
 */
export async function sendSigninLink(deps: OwnerMailDeps, job: SigninJob): Promise<SendOutcome> {
  const out = await deps.mailer.deliver(
    async () => {
      const owner = ownerOf(deps, job.owner);
      if (!owner) return undefined;
      const { secret, hash } = newSecret();
      await deps.store.owners.createLogin(hash, owner, deps.clock.now() + LOGIN_LINK_MS);
      return { owner, url: `${new URL(deps.siteUrl).origin}/admin/login?t=${secret}` };
    },
    ({ owner, url }) => loginEmail(owner, deps.course.funnel.brand.name, url),
  );
  if (out.kind !== "sent") return out.kind === "skipped" ? "skipped" : "failed";
  deps.logger.info("owner sign-in link sent", {});
  return "sent";
}

/**
 * Sends a queued test email to the owner who asked for it (nothing is stored). An owner
 * removed, or an email id gone from the content since, gets nothing.
 */
export async function sendTestJob(deps: OwnerMailDeps, job: TestSendJob): Promise<SendOutcome> {
  const out = await deps.mailer.deliver(
    async () => {
      const owner = ownerOf(deps, job.owner);
      if (!owner) return undefined;
      return testEmail(deps, job.email, owner, [owner]).catch((e) => {
        if (e instanceof TestSendError) return undefined;
        throw e;
      });
    },
    (email) => email,
  );
  if (out.kind !== "sent") return out.kind === "skipped" ? "skipped" : "failed";
  deps.logger.info("test email sent", { email: job.email });
  return "sent";
}

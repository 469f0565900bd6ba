import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetEmailIdentityCommand,
  type SESv2Client,
} from "@aws-sdk/client-sesv2";
import { consoleUrl, describeError, type Finding, fail, pass, skip, warn } from "./finding";

const n = (x: number | undefined) => (x ?? 0).toLocaleString("en-US");

/**
 * The account's sending in this region: sandbox or production access, sending enabled,
 * reputation enforcement, the daily quota and its use, the maximum send rate.
 */
export async function checkAccount(
  ses: Pick<SESv2Client, "send">,
  ctx: { region: string; sandboxRecipients?: string[] },
): Promise<Finding[]> {
  const account = await ses.send(new GetAccountCommand({}));
  const page = consoleUrl.ses(ctx.region, "account");
  const findings: Finding[] = [];
  findings.push(
    account.ProductionAccessEnabled
      ? pass(`Production access in ${ctx.region}: mail goes to any address`)
      : warn(
          `SES sandbox in ${ctx.region}: mail reaches only verified addresses${ctx.sandboxRecipients?.length ? ` (${ctx.sandboxRecipients.length} test recipients configured)` : ""}`,
          `Request production access: ${page} → Request production access (mail type Marketing, the site URL, how people sign up and unsubscribe). AWS answers within about a day.`,
        ),
  );
  findings.push(
    account.SendingEnabled === false
      ? fail(
          `Sending is paused for this account in ${ctx.region}`,
          `Open ${page} for the reason; once resolved, resume with \`aws sesv2 put-account-sending-attributes --sending-enabled\`.`,
        )
      : pass("Sending enabled"),
  );
  const enforcement = account.EnforcementStatus;
  if (enforcement && enforcement !== "HEALTHY") {
    findings.push(
      enforcement === "SHUTDOWN"
        ? fail(
            `Account reputation: ${enforcement}`,
            `Open ${page} → Reputation metrics and answer the SES case.`,
          )
        : warn(
            `Account reputation: ${enforcement} (under review)`,
            `Open ${page} → Reputation metrics; bring bounces under 5 % and complaints under 0.1 %.`,
          ),
    );
  }
  const q = account.SendQuota ?? {};
  const used = q.Max24HourSend ? (q.SentLast24Hours ?? 0) / q.Max24HourSend : 0;
  const quota = `Quota: ${n(q.SentLast24Hours)} of ${n(q.Max24HourSend)} sent in the last 24 hours; max ${n(q.MaxSendRate)} per second`;
  findings.push(
    used >= 0.8
      ? warn(
          quota,
          `Ask for a higher quota before it runs out: ${page} → Request a sending quota increase (Service Quotas).`,
        )
      : pass(quota),
  );
  return findings;
}

/** The stack's configuration set exists, sends, and suppresses bounced and complained addresses. */
export async function checkConfigurationSet(
  ses: Pick<SESv2Client, "send">,
  ctx: { region: string; name?: string },
): Promise<Finding> {
  if (!ctx.name) return skip("Configuration set: created by the deploy", "Deploy the stack.");
  const page = consoleUrl.ses(ctx.region, `configuration-sets/${ctx.name}`);
  let set: Awaited<ReturnType<typeof getSet>>;
  const getSet = () => ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: ctx.name }));
  try {
    set = await getSet();
  } catch (e) {
    return e instanceof Error && e.name === "NotFoundException"
      ? fail(
          `Configuration set ${ctx.name} does not exist`,
          "Deploy the stack again: `npm run cdk deploy`.",
        )
      : fail(
          `Could not read configuration set ${ctx.name} (${describeError(e)})`,
          "Let these credentials call ses:GetConfigurationSet.",
        );
  }
  const reasons = set.SuppressionOptions?.SuppressedReasons ?? [];
  const missing = ["BOUNCE", "COMPLAINT"].filter((r) => !reasons.includes(r as never));
  if (missing.length) {
    return fail(
      `Configuration set ${ctx.name} does not suppress ${missing.join(" or ").toLowerCase()}s`,
      `Deploy the stack again (it sets suppression), or ${page} → Suppression list → Edit → bounces and complaints.`,
    );
  }
  if (set.SendingOptions?.SendingEnabled === false) {
    return fail(
      `Configuration set ${ctx.name} has sending paused`,
      `${page} → General details → Edit → Sending: Enabled.`,
    );
  }
  return pass(`Configuration set ${ctx.name}: suppresses bounces and complaints`);
}

/**
 * Each sandbox test recipient is verified: in the sandbox, SES delivers only to verified
 * addresses, and verifying takes a click in the email AWS sends to each.
 */
export async function checkSandboxRecipients(
  ses: Pick<SESv2Client, "send">,
  ctx: { recipients: string[]; deployed: boolean },
): Promise<Finding[]> {
  return Promise.all(
    ctx.recipients.map(async (email) => {
      try {
        const id = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: email }));
        if (!ctx.deployed) {
          // The stack creates each recipient's identity: one that exists makes the create fail.
          return fail(
            `Test recipient ${email} is already an SES identity: the deploy would fail creating it`,
            `List ${email} under sandboxRecipients of one stage only (another stage, or the console, made it already); remove it from this stage's.`,
          );
        }
        if (id.VerifiedForSendingStatus || id.VerificationStatus === "SUCCESS") {
          return pass(`Test recipient ${email} is verified`);
        }
        return warn(
          `Test recipient ${email} is not verified yet (${id.VerificationStatus ?? "PENDING"})`,
          `Click the link in the "Amazon Web Services – Email Address Verification Request" email sent to ${email}; it expires after 24 hours (deploy again to have it resent).`,
        );
      } catch (e) {
        if (!(e instanceof Error && e.name === "NotFoundException")) throw e;
        return ctx.deployed
          ? fail(
              `Test recipient ${email} is not an SES identity`,
              "Deploy the stack again: it adds each sandboxRecipients address.",
            )
          : skip(`Test recipient ${email}: the deploy asks AWS to verify it`, "Deploy the stack.");
      }
    }),
  );
}

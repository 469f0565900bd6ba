import {
  GetEmailIdentityCommand,
  type GetEmailIdentityCommandOutput,
  type SESv2Client,
} from "@aws-sdk/client-sesv2";
import { consoleUrl, describeError, type Finding, fail, pass, skip, warn } from "./finding";

/** What the DNS checks need from the identity. */
export interface IdentityState {
  /** Easy DKIM tokens: each wants `<token>._domainkey.<domain>` CNAME `<token>.dkim.amazonses.com`. */
  dkimTokens: string[];
  /** The custom MAIL FROM domain, when one is set. */
  mailFromDomain?: string;
  findings: Finding[];
}

export interface IdentityContext {
  domain: string;
  region: string;
  /** The stack sends as an identity it did not create. */
  useExistingIdentity: boolean;
  /** The stage's stack exists. */
  deployed: boolean;
}

const DNS_WAIT =
  "SES checks again on its own for up to 72 hours after the records appear; the DNS section below shows what the world sees.";

/**
 * The SES domain identity: it exists (or will be created by the deploy), and its verification,
 * DKIM and custom MAIL FROM status.
 */
export async function checkIdentity(
  ses: Pick<SESv2Client, "send">,
  ctx: IdentityContext,
): Promise<IdentityState> {
  const { domain, region } = ctx;
  const page = consoleUrl.ses(region, `identities/${domain}`);
  let id: GetEmailIdentityCommandOutput;
  try {
    id = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
  } catch (e) {
    if (!(e instanceof Error && e.name === "NotFoundException")) {
      return {
        dkimTokens: [],
        findings: [
          fail(
            `Could not read the SES identity ${domain} (${describeError(e)})`,
            "Let these credentials call ses:GetEmailIdentity.",
          ),
        ],
      };
    }
    const missing = ctx.useExistingIdentity
      ? fail(
          `SES identity ${domain} does not exist in ${region}, and useExistingIdentity is set`,
          `Create and verify it: ${consoleUrl.ses(region, "identities")} → Create identity → Domain ${domain}, with Easy DKIM and MAIL FROM mail.${domain}; or set useExistingIdentity to false so the stack creates it.`,
        )
      : ctx.deployed
        ? fail(
            `SES identity ${domain} is missing although the stack is deployed`,
            `Deploy again to recreate it: \`npm run cdk deploy\`.`,
          )
        : skip(`SES identity ${domain}: the deploy creates it`, "Deploy the stack.");
    return { dkimTokens: [], findings: [missing] };
  }
  if (!ctx.useExistingIdentity && !ctx.deployed) {
    return {
      dkimTokens: [],
      findings: [
        fail(
          `SES identity ${domain} already exists in ${region}: the deploy would fail creating it`,
          `Set "useExistingIdentity": true for this stage (healthyHips in cdk.json, or HH_USE_EXISTING_IDENTITY=true) so the stack sends as it.`,
        ),
      ],
    };
  }

  const findings: Finding[] = [];
  const verification =
    id.VerificationStatus ?? (id.VerifiedForSendingStatus ? "SUCCESS" : "NOT_STARTED");
  findings.push(
    verification === "SUCCESS"
      ? pass(`SES identity ${domain} is verified`)
      : verification === "PENDING" || verification === "TEMPORARY_FAILURE"
        ? warn(
            `SES identity ${domain}: verification ${verification}`,
            `Add the three DKIM records below. ${DNS_WAIT}`,
          )
        : fail(
            `SES identity ${domain}: verification ${verification}${id.VerificationInfo?.ErrorType ? ` (${id.VerificationInfo.ErrorType})` : ""}`,
            `Add the three DKIM records below, then restart verification: ${page} → Authentication → DKIM → Edit → Save (SES checks again).`,
          ),
  );

  const dkim = id.DkimAttributes;
  const dkimStatus = dkim?.Status ?? "NOT_STARTED";
  findings.push(
    dkimStatus === "SUCCESS" && dkim?.SigningEnabled !== false
      ? pass(`DKIM signing: ${dkimStatus}`)
      : dkimStatus === "SUCCESS"
        ? fail(
            "DKIM records verified but signing is off",
            `Turn DKIM signing on: ${page} → Authentication → DKIM → Edit → DKIM signatures: Enabled.`,
          )
        : dkimStatus === "PENDING" || dkimStatus === "TEMPORARY_FAILURE"
          ? warn(`DKIM: ${dkimStatus}`, `Add the three DKIM CNAME records below. ${DNS_WAIT}`)
          : fail(
              `DKIM: ${dkimStatus}`,
              dkimStatus === "NOT_STARTED"
                ? `Turn on Easy DKIM: ${page} → Authentication → DKIM → Edit → Easy DKIM, RSA 2048.`
                : `SES gave up on the DKIM records: add the three CNAME records below exactly as shown, then ${page} → Authentication → DKIM → Edit → Save to check again.`,
            ),
  );

  const mailFrom = id.MailFromAttributes;
  const mailFromStatus = mailFrom?.MailFromDomainStatus;
  const mailFromDomain = mailFrom?.MailFromDomain || undefined;
  if (!mailFromDomain) {
    findings.push(
      warn(
        "No custom MAIL FROM domain: bounces come from amazonses.com, so SPF does not align for DMARC",
        `${page} → Custom MAIL FROM domain → Edit → mail.${domain}, behavior on MX failure "Use default MAIL FROM domain"; then add its MX and SPF records.`,
      ),
    );
  } else if (mailFromStatus === "SUCCESS") {
    findings.push(pass(`Custom MAIL FROM ${mailFromDomain}: ${mailFromStatus}`));
  } else if (mailFromStatus === "PENDING" || mailFromStatus === "TEMPORARY_FAILURE") {
    findings.push(
      warn(
        `Custom MAIL FROM ${mailFromDomain}: ${mailFromStatus}`,
        `Add its MX and SPF records (below). ${DNS_WAIT}`,
      ),
    );
  } else {
    findings.push(
      fail(
        `Custom MAIL FROM ${mailFromDomain}: ${mailFromStatus ?? "unknown"}`,
        `Add its MX and SPF records (below) exactly as shown; SES checks the MAIL FROM domain again by itself.`,
      ),
    );
  }
  const easyDkim = dkim?.SigningAttributesOrigin !== "EXTERNAL";
  return { dkimTokens: easyDkim ? (dkim?.Tokens ?? []) : [], mailFromDomain, findings };
}

import {
  type ACMClient,
  type CertificateDetail,
  DescribeCertificateCommand,
} from "@aws-sdk/client-acm";
import { consoleUrl, describeError, type Finding, fail, pass, skip, warn } from "./finding";

/** Whether a certificate name (`host` or `*.parent`) covers `host`. */
const covers = (name: string, host: string) =>
  name === host || (name.startsWith("*.") && host.split(".").slice(1).join(".") === name.slice(2));

/**
 * The certificate for a custom site host: in us-east-1 (CloudFront takes certificates only
 * from there), issued, covering the host, not about to expire unrenewed.
 */
export async function checkCertificate(
  acm: Pick<ACMClient, "send">,
  ctx: { arn?: string; host: string; now: Date },
): Promise<Finding> {
  const { host } = ctx;
  if (!ctx.arn)
    return fail(
      `No certificate for ${host}`,
      "Set healthyHips.certificateArn to an ACM certificate in us-east-1 for the host.",
    );
  const region = ctx.arn.split(":")[3];
  const list = consoleUrl.certificates();
  if (region !== "us-east-1") {
    return fail(
      `Certificate is in ${region}, not us-east-1: CloudFront cannot use it`,
      `Request a certificate for ${host} in us-east-1 (${list}) and set its ARN as certificateArn.`,
    );
  }
  let cert: CertificateDetail | undefined;
  try {
    cert = (await acm.send(new DescribeCertificateCommand({ CertificateArn: ctx.arn })))
      .Certificate;
  } catch (e) {
    return fail(
      `Could not read certificate ${ctx.arn} (${describeError(e)})`,
      e instanceof Error && e.name === "ResourceNotFoundException"
        ? `No such certificate in us-east-1: request one for ${host} at ${list}, and set its ARN as certificateArn.`
        : "Let these credentials call acm:DescribeCertificate in us-east-1.",
    );
  }
  const names = [...new Set([cert?.DomainName, ...(cert?.SubjectAlternativeNames ?? [])])].filter(
    Boolean,
  ) as string[];
  if (!names.some((n) => covers(n.toLowerCase(), host))) {
    return fail(
      `Certificate covers ${names.join(", ")}, not ${host}`,
      `Request a certificate for ${host} in us-east-1 (${list}) and set its ARN as certificateArn.`,
    );
  }
  const status = cert?.Status ?? "UNKNOWN";
  if (status === "PENDING_VALIDATION") {
    const records = (cert?.DomainValidationOptions ?? [])
      .map((o) => o.ResourceRecord)
      .filter((r) => r?.Name && r.Value)
      .map((r) => `name ${r?.Name?.replace(/\.$/, "")}, value ${r?.Value?.replace(/\.$/, "")}`);
    return warn(
      `Certificate for ${host}: PENDING_VALIDATION`,
      records.length
        ? `Add a CNAME record at your DNS host: ${[...new Set(records)].join("; and ")}. ACM issues it within minutes of seeing it.`
        : `Open ${list} → the certificate → Domains, and add the validation record shown.`,
    );
  }
  if (status !== "ISSUED") {
    return fail(
      `Certificate for ${host}: ${status}`,
      `Request a new certificate for ${host} in us-east-1 (${list}), validate it by DNS, and set its ARN as certificateArn.`,
    );
  }
  const days = cert?.NotAfter
    ? Math.floor((cert.NotAfter.getTime() - ctx.now.getTime()) / 86_400_000)
    : undefined;
  if (days !== undefined && days < 30 && cert?.RenewalEligibility !== "ELIGIBLE") {
    return warn(
      `Certificate for ${host} expires in ${days} days and will not renew by itself`,
      `Import a renewed certificate, or request an ACM one for ${host} (${list}).`,
    );
  }
  return pass(`Certificate for ${host}: ISSUED in us-east-1`);
}

/** The deployed site answers /healthz, and the answer came through CloudFront. */
export async function checkHealth(
  fetcher: typeof fetch,
  ctx: { siteUrl?: string },
): Promise<Finding> {
  if (!ctx.siteUrl)
    return skip("Site /healthz: the site exists after the deploy", "Deploy the stack.");
  const url = `${ctx.siteUrl}/healthz`;
  let res: Response;
  try {
    res = await fetcher(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    return fail(
      `${url} did not answer (${describeError(cause)})`,
      "If the site host is new, its DNS record may not have spread yet (see DNS above); a certificate error means the certificate does not cover the host.",
    );
  }
  const viaCloudFront =
    /cloudfront/i.test(res.headers.get("via") ?? "") || res.headers.has("x-amz-cf-id");
  if (!viaCloudFront) {
    return fail(
      `${url} answered ${res.status}, but not through CloudFront`,
      "Point the site host at the distribution (see DNS above).",
    );
  }
  if (res.status !== 200) {
    return fail(
      `${url} answered ${res.status} through CloudFront`,
      res.status === 503
        ? "The web function cannot reach the table or SES: read its log group (CloudWatch → Log groups → the stack's WebFunction) for the error."
        : res.status === 403
          ? "The web function refuses CloudFront's origin secret: a rotation was left half done, or the secret was changed by hand. Run `npm run rotate-origin-secret`: it makes CloudFront send the current value."
          : "Read the web function's log group (CloudWatch → Log groups → the stack's WebFunction) and the API access logs.",
    );
  }
  return pass(`${url} answers 200 through CloudFront`);
}

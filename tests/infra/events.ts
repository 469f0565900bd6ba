import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2, SQSEvent } from "aws-lambda";

/** The origin secret the bundle tests' stand-in holds, which CloudFront would add. */
export const TEST_ORIGIN_SECRET = "o".repeat(64);

/**
 * An API Gateway HTTP API (payload format 2.0) event, as CloudFront -> API Gateway sends it
 * (with CloudFront's origin secret and viewer address). `headers` replaces or, with
 * undefined, removes any of them: a request that went around CloudFront.
 */
export function httpEvent(
  method: string,
  pathAndQuery: string,
  opts: {
    body?: string;
    contentType?: string;
    base64?: boolean;
    headers?: Record<string, string | undefined>;
  } = {},
): APIGatewayProxyEventV2 {
  const url = new URL(pathAndQuery, "https://api.example");
  const now = Date.now();
  const headers: Record<string, string> = {
    host: "abc123.execute-api.us-east-1.amazonaws.com",
    "user-agent": "Mozilla/5.0 (bundle test)",
    // The first entry is whatever the client claimed; CloudFront's function sets x-viewer-ip.
    "x-forwarded-for": "198.51.100.66, 203.0.113.7, 130.176.0.1",
    "x-viewer-ip": "203.0.113.7",
    "x-forwarded-proto": "https",
    via: "2.0 abc.cloudfront.net (CloudFront)",
    "x-origin-verify": TEST_ORIGIN_SECRET,
  };
  if (opts.contentType) headers["content-type"] = opts.contentType;
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const query = Object.fromEntries(url.searchParams);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "abc123",
      http: {
        method,
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: "130.176.0.1",
        userAgent: headers["user-agent"] as string,
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body:
      opts.base64 && opts.body !== undefined
        ? Buffer.from(opts.body).toString("base64")
        : opts.body,
    isBase64Encoded: opts.base64 ?? false,
  };
}

/**
 * An SQS event for the send Lambda, one record per body; `receiveCount` is how many times SQS
 * has delivered each message, this delivery included.
 */
export function sqsEvent(bodies: string[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `msg-${i}-${randomUUID()}`,
      receiptHandle: `rh-${i}-${randomUUID()}`,
      body,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: "AROAEXAMPLE:web",
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:HealthyHips-DripSendQueue",
      awsRegion: "us-east-1",
    })),
  };
}

const mail = (to: string) => ({
  timestamp: "2026-03-02T09:00:00.000Z",
  source: '"Clara" <hello@hips.example>',
  sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/hips.example",
  sendingAccountId: "123456789012",
  messageId: "010001960a1b2c3d-5e6f7a8b-0000-0000-0000-000000000000-000000",
  destination: [to],
  headersTruncated: false,
  tags: {
    "ses:configuration-set": ["MailConfigurationSet2AA84368-abc"],
    "ses:source-ip": ["198.51.100.10"],
    "ses:from-domain": ["hips.example"],
    "ses:caller-identity": ["HealthyHips-DripSendServiceRole"],
  },
});

const envelope = <D>(detailType: string, detail: D) => ({
  version: "0",
  id: randomUUID(),
  "detail-type": detailType,
  source: "aws.ses",
  account: "123456789012",
  time: "2026-03-02T09:00:05Z",
  region: "us-east-1",
  resources: [
    "arn:aws:ses:us-east-1:123456789012:configuration-set/MailConfigurationSet2AA84368-abc",
  ],
  detail,
});

/** "Email Bounced" as the configuration set's EventBridge destination publishes it. */
export function sesBounceEvent(to: string, bounceType: "Permanent" | "Transient") {
  return envelope("Email Bounced", {
    eventType: "Bounce",
    bounce: {
      feedbackId: "010001960a1b2c3d-feedback-000000",
      bounceType,
      bounceSubType: bounceType === "Permanent" ? "General" : "MailboxFull",
      bouncedRecipients: [
        {
          emailAddress: to,
          action: "failed",
          status: bounceType === "Permanent" ? "5.1.1" : "4.2.2",
          diagnosticCode:
            bounceType === "Permanent"
              ? "smtp; 550 5.1.1 user unknown"
              : "smtp; 452 4.2.2 mailbox full",
        },
      ],
      timestamp: "2026-03-02T09:00:04.000Z",
      reportingMTA: "dns; a8-1.smtp-out.amazonses.com",
    },
    mail: mail(to),
  });
}

/** "Email Complaint Received" as the configuration set's EventBridge destination publishes it. */
export function sesComplaintEvent(to: string) {
  return envelope("Email Complaint Received", {
    eventType: "Complaint",
    complaint: {
      feedbackId: "010001960a1b2c3d-complaint-000000",
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: to }],
      timestamp: "2026-03-02T09:10:00.000Z",
      userAgent: "Mozilla/5.0 (feedback loop)",
      complaintFeedbackType: "abuse",
      arrivalDate: "2026-03-02T09:09:58.000Z",
    },
    mail: mail(to),
  });
}

/** What SES GetAccount answers (the emulator reads it from AWS_SES_ACCOUNT). */
export const sesAccount = (maxSendRate: number) =>
  JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: "EN",
      MailType: "MARKETING",
      ReviewDetails: { CaseId: "1", Status: "GRANTED" },
      UseCaseDescription: "double opt-in course emails",
      WebsiteURL: "https://yoga.hips.example",
    },
    EnforcementStatus: "HEALTHY",
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
  });

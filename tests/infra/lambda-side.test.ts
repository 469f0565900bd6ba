import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../functions/aws/env";
import { QueueError } from "../../functions/aws/errors";
import { createLogger } from "../../functions/aws/logger";
import { createSqsQueue, parseJob } from "../../functions/aws/queue";
import { feedbackAction, parseSesEvent } from "../../functions/aws/ses-events";
import { ConfigError } from "../../functions/core/errors";
import { startAwsStandIn } from "./aws-standin";
import { sesBounceEvent, sesComplaintEvent } from "./events";

describe("Lambda configuration", () => {
  it("names a missing variable", () => {
    expect(() => readEnv(["TABLE_NAME", "QUEUE_URL"], { TABLE_NAME: "t" })).toThrow(
      new ConfigError("missing environment variable QUEUE_URL"),
    );
  });

  it("names an invalid variable without echoing its value", () => {
    const error = (() => {
      try {
        readEnv(["SITE_URL"], { SITE_URL: "not a url with a s3cret" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/^environment variable SITE_URL is invalid/);
    expect(error?.message).not.toContain("s3cret");
  });

  it("treats an empty value as missing, and lets optional ones be absent", () => {
    expect(() => readEnv(["TABLE_NAME"], { TABLE_NAME: "" })).toThrow(/missing .*TABLE_NAME/);
    expect(readEnv(["REPLY_TO"], {})).toEqual({ REPLY_TO: undefined });
  });
});

describe("Lambda logger", () => {
  const capture = (env: Record<string, string>) => {
    const lines: string[] = [];
    const { logger } = createLogger(env, (line) => lines.push(line));
    return { logger, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  it("writes one JSON object per line with level, message, service and the data", () => {
    const { logger, lines } = capture({ SERVICE_NAME: "healthy-hips-send" });
    logger.info("sent", { step: 1 });
    logger.error("failed", { error: new TypeError("boom") });
    expect(lines()).toMatchObject([
      { level: "INFO", message: "sent", service: "healthy-hips-send", step: 1 },
      { level: "ERROR", message: "failed", error: { name: "TypeError", message: "boom" } },
    ]);
    expect(Date.parse(String(lines()[0]?.timestamp))).not.toBeNaN();
  });

  it("leaves out what is below LOG_LEVEL", () => {
    const { logger, lines } = capture({ LOG_LEVEL: "error" });
    logger.info("quiet");
    logger.warn("quiet too");
    logger.error("loud");
    expect(lines().map((l) => l.message)).toEqual(["loud"]);
  });
});

describe("SES events", () => {
  const parse = (e: unknown) => feedbackAction(parseSesEvent(e));

  it.each([
    [
      "a permanent bounce",
      sesBounceEvent("a@x.example", "Permanent"),
      { kind: "bounced", recipients: ["a@x.example"] },
    ],
    [
      "a transient bounce",
      sesBounceEvent("a@x.example", "Transient"),
      { kind: "ignored", reason: "Transient bounce" },
    ],
    [
      "a complaint",
      sesComplaintEvent("a@x.example"),
      { kind: "complained", recipients: ["a@x.example"] },
    ],
  ])("%s", (_name, event, action) => {
    expect(parse(event)).toEqual(action);
  });

  it("an undetermined bounce and a not-spam report change nothing", () => {
    const undetermined = sesBounceEvent("a@x.example", "Permanent");
    undetermined.detail.bounce.bounceType = "Undetermined" as never;
    expect(parse(undetermined)).toMatchObject({ kind: "ignored" });
    const notSpam = sesComplaintEvent("a@x.example");
    notSpam.detail.complaint.complaintFeedbackType = "not-spam";
    expect(parse(notSpam)).toMatchObject({ kind: "ignored" });
  });

  it("takes the address out of a display-name form", () => {
    const event = sesBounceEvent('"Ana" <ana@x.example>', "Permanent");
    expect(parse(event)).toEqual({ kind: "bounced", recipients: ["ana@x.example"] });
  });

  it("refuses other events, naming the fields and no address", () => {
    const delivery = {
      ...sesBounceEvent("ana@x.example", "Permanent"),
      "detail-type": "Email Delivered",
    };
    expect(() => parseSesEvent(delivery)).toThrow(/detail-type/);
    const noRecipients = sesBounceEvent("ana@x.example", "Permanent");
    noRecipients.detail.bounce.bouncedRecipients = [];
    expect(() => parseSesEvent(noRecipients)).toThrow(/detail\.bounce\.bouncedRecipients/);
    expect(() => parseSesEvent(noRecipients)).not.toThrow(/ana@/);
  });
});

describe("SQS job queue", () => {
  let aws: Awaited<ReturnType<typeof startAwsStandIn>>;
  let sqs: SQSClient;
  beforeAll(async () => {
    aws = await startAwsStandIn({});
    sqs = new SQSClient({
      endpoint: aws.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  });
  afterAll(async () => {
    sqs?.destroy();
    await aws?.close();
  });
  const queueUrl = () => `${aws.endpoint}/123456789012/send`;
  const job = (i: number) => ({
    kind: "step" as const,
    sid: `sub${i}`,
    email: "hips-and-your-back",
    lease: `lease-${String(i).padStart(6, "0")}`,
  });

  it("sends jobs in batches of ten, each a body the send Lambda parses back", async () => {
    const before = aws.calls.length;
    const jobs = Array.from({ length: 23 }, (_, i) => job(i));
    await createSqsQueue(sqs, queueUrl()).enqueue(jobs);
    expect(aws.calls.slice(before)).toEqual(Array(3).fill("AmazonSQS.SendMessageBatch"));
    expect(aws.messages.slice(-23).map(parseJob)).toEqual(jobs);
  });

  it("carries confirmation jobs beside lesson jobs, in the same batches", async () => {
    const jobs = [job(300), { kind: "confirm" as const, sid: "sub301" }];
    await createSqsQueue(sqs, queueUrl()).enqueue(jobs);
    expect(aws.messages.slice(-2).map(parseJob)).toEqual(jobs);
    expect(() => parseJob('{"kind":"confirm","sid":"a","lease":"aaaaaaaaaaaa"}')).toThrow();
    expect(() => parseJob('{"kind":"other","sid":"a"}')).toThrow();
  });

  it("refuses a malformed job before anything is sent", async () => {
    const before = aws.calls.length;
    await expect(
      createSqsQueue(sqs, queueUrl()).enqueue([
        { kind: "step", sid: "a b", email: "welcome", lease: "x" },
      ]),
    ).rejects.toThrow();
    expect(aws.calls.length).toBe(before);
  });

  it("retries entries SQS refused, and says so when they keep being refused", async () => {
    aws.faults.sqsRefusals = 2;
    await createSqsQueue(sqs, queueUrl()).enqueue([job(100), job(101), job(102)]);
    expect(
      aws.messages
        .slice(-3)
        .map(parseJob)
        .map((j) => ("sid" in j ? j.sid : j.kind))
        .sort(),
    ).toEqual(["sub100", "sub101", "sub102"]);

    aws.faults.sqsRefusals = 3;
    await expect(createSqsQueue(sqs, queueUrl()).enqueue([job(200)])).rejects.toBeInstanceOf(
      QueueError,
    );
    aws.faults.sqsRefusals = 0;
  });
});

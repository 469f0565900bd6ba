import type { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { MAX_DELAY_S, requeueLater, retryBackoff } from "../../functions/aws/queue";
import {
  RETRY_BASE_S,
  RETRY_MAX_S,
  retryCeiling,
  retryDelaySeconds,
} from "../../functions/core/backoff";

const always = (r: number) => () => r;
/** Just below 1: the largest value Math.random can return. */
const TOP = 1 - Number.EPSILON;

describe("retryCeiling: min(MAX, BASE * 2^(attempt - 1))", () => {
  it.each([
    [1, 10],
    [2, 20],
    [3, 40],
    [4, 80],
    [5, 160],
    [6, 300],
    [7, 300],
    [60, 300],
    [2000, 300],
  ])("after delivery %i: at most %i s", (attempt, ceiling) => {
    expect(retryCeiling(attempt)).toBe(ceiling);
  });

  it.each([
    ["zero", 0],
    ["negative", -3],
    ["NaN (an unreadable receive count)", Number.NaN],
    ["infinite", Number.NEGATIVE_INFINITY],
  ])("an attempt that is %s counts as the first", (_name, attempt) => {
    expect(retryCeiling(attempt)).toBe(RETRY_BASE_S);
  });

  it("a fractional attempt rounds down", () => {
    expect(retryCeiling(2.9)).toBe(20);
  });
});

describe("retryDelaySeconds: full jitter over [0, ceiling] whole seconds", () => {
  it.each([
    // attempt, random, delay
    [1, 0, 0],
    [1, 0.5, 5],
    [1, TOP, 10],
    [2, 0.5, 10],
    [3, 0, 0],
    [3, 0.5, 20],
    [3, TOP, 40],
    [4, 0.25, 20],
    [5, TOP, 160],
    [8, 0.5, 150],
    [8, TOP, RETRY_MAX_S],
  ])("attempt %i, random %d -> %i s", (attempt, random, delay) => {
    expect(retryDelaySeconds(attempt, always(random))).toBe(delay);
  });

  it.each([
    ["1", 1, 10],
    ["above 1", 7, 10],
    ["negative", -1, 0],
    ["NaN", Number.NaN, 0],
  ])("a random source returning %s is clamped into range", (_name, random, delay) => {
    expect(retryDelaySeconds(1, always(random))).toBe(delay);
  });

  it("with Math.random, every delay is a whole number of seconds within the ceiling", () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      for (let i = 0; i < 200; i++) {
        const delay = retryDelaySeconds(attempt);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(retryCeiling(attempt));
      }
    }
  });
});

describe("retryBackoff: the SQS side of a retry", () => {
  const URL = "https://sqs.us-east-1.amazonaws.com/123456789012/send";
  const record = (receiveCount: string) => ({
    receiptHandle: `rh-${receiveCount}`,
    attributes: { ApproximateReceiveCount: receiveCount } as never,
  });
  function fakes(fail = false) {
    const sent: { name: string; input: unknown }[] = [];
    const logs: [string, string, Record<string, unknown> | undefined][] = [];
    const sqs = {
      send: async (command: { constructor: { name: string }; input: unknown }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        if (fail) throw Object.assign(new Error("expired"), { name: "ReceiptHandleIsInvalid" });
        return {};
      },
    } as unknown as Pick<SQSClient, "send">;
    const log = (level: string) => (message: string, data?: Record<string, unknown>) =>
      logs.push([level, message, data]);
    const logger = { info: log("info"), warn: log("warn"), error: log("error") };
    return { sqs, sent, logs, logger };
  }

  it.each([
    ["1", 10],
    ["3", 40],
    ["4", 80],
    ["not a number", 10],
  ])(
    "receive count %s: the message is hidden for the ceiling at random ~1 (%i s)",
    async (n, s) => {
      const { sqs, sent, logger } = fakes();
      await retryBackoff(sqs, URL, logger, () => TOP)(record(n));
      expect(sent).toEqual([
        {
          name: "ChangeMessageVisibilityCommand",
          input: { QueueUrl: URL, ReceiptHandle: `rh-${n}`, VisibilityTimeout: s },
        },
      ]);
    },
  );

  it("a refused change is logged without the receipt handle, and never thrown", async () => {
    const { sqs, sent, logs, logger } = fakes(true);
    await expect(retryBackoff(sqs, URL, logger, always(0.5))(record("2"))).resolves.toBe(undefined);
    expect(sent).toHaveLength(1);
    expect(logs).toEqual([
      ["warn", expect.stringContaining("could not delay"), expect.any(Object)],
    ]);
    expect(logs[0]?.[2]).toEqual({ attempt: 2, error: "ReceiptHandleIsInvalid" });
  });

  it.each([
    ["the jitter's zero", 0, 0, 1],
    ["the jitter's top", TOP, 0, 40],
    ["a halt of 10 minutes", 0, 600_000, 600],
    ["a halt longer than SQS delays", 0, 3_600_000, MAX_DELAY_S],
  ])(
    "a job put back on the queue waits at least a second (%s, third receive)",
    async (_label, r, atLeastMs, seconds) => {
      const { sqs, sent, logger } = fakes();
      const body = '{"kind":"confirm","sid":"s1"}';
      const put = requeueLater(sqs, URL, logger, () => r);
      await expect(put({ ...record("3"), body }, atLeastMs)).resolves.toBe(true);
      expect(sent).toEqual([
        {
          name: "SendMessageCommand",
          input: { QueueUrl: URL, MessageBody: body, DelaySeconds: seconds },
        },
      ]);
    },
  );
});

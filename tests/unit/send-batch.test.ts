import type { Context, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { HALTED_RECEIVES, sendBatch } from "../../functions/aws/send-batch";
import type { Logger, SendJob } from "../../functions/core/ports";
import { NoSendSlotError, SendingHaltedError } from "../../functions/funnel/errors";
import { MAX_RECEIVE_COUNT } from "../../infra/aws/constructs/drip";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const context = {} as Context;

function record(id: string, job: SendJob, receives: number): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `r-${id}`,
    body: JSON.stringify(job),
    attributes: { ApproximateReceiveCount: String(receives) },
    eventSource: "aws:sqs",
  } as unknown as SQSRecord;
}

describe("the send function's batch while SES refuses the account", () => {
  const step: SendJob = { kind: "step", sid: "s1", lease: "lease-0001" };
  const confirmJob: SendJob = { kind: "confirm", sid: "s2" };
  const halted = async () => {
    throw new SendingHaltedError("sending is halted", { retryInMs: 60_000 });
  };

  it("a halted drip step is retried from the queue at first, then left to its claim before the dead-letter queue", async () => {
    const backedOff: string[] = [];
    const batch = sendBatch(
      halted,
      async (r) => {
        backedOff.push(r.messageId);
      },
      quiet,
    );
    const out = await batch(
      {
        Records: [
          record("early", step, 1),
          record("late", step, HALTED_RECEIVES),
          // A confirmation has no claim in the table to fall back on: it stays in the queue.
          record("confirm", confirmJob, HALTED_RECEIVES),
        ],
      },
      context,
    );
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["confirm", "early"]);
    expect(backedOff.sort()).toEqual(["confirm", "early"]);
  });

  it("a halted confirmation goes back on the queue as a new message before its receives run out", async () => {
    const backedOff: string[] = [];
    const requeued: string[] = [];
    let sqsRefuses = false;
    const batch = sendBatch(
      halted,
      async (r) => {
        backedOff.push(r.messageId);
      },
      quiet,
      async () => {},
      async (r, atLeastMs) => {
        expect(atLeastMs).toBe(60_000);
        if (sqsRefuses) return false;
        requeued.push(r.messageId);
        return true;
      },
    );
    const out = await batch(
      {
        Records: [
          record("early", confirmJob, 1),
          record("late", confirmJob, HALTED_RECEIVES),
          record("step", step, HALTED_RECEIVES),
        ],
      },
      context,
    );
    // The late one leaves as a new message (the original is deleted); the early one is retried
    // from the queue as before; the step is left to its claim, not requeued.
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["early"]);
    expect(requeued).toEqual(["late"]);
    expect(backedOff).toEqual(["early"]);

    // If SQS refuses the new message, the record is given back as before: never lost.
    sqsRefuses = true;
    const again = await batch({ Records: [record("late", confirmJob, HALTED_RECEIVES)] }, context);
    expect(again.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["late"]);
  });

  it("is dropped before the queue's receives run out", () => {
    expect(HALTED_RECEIVES).toBeLessThan(MAX_RECEIVE_COUNT);
  });

  it("a batch whose instance found no send slot is given back the same way, without failing the invocation", async () => {
    const backedOff: string[] = [];
    const batch = sendBatch(
      async () => {
        throw new NoSendSlotError("this instance holds no send slot");
      },
      async (r) => {
        backedOff.push(r.messageId);
      },
      quiet,
    );
    const out = await batch(
      { Records: [record("early", step, 1), record("late", step, HALTED_RECEIVES)] },
      context,
    );
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["early"]);
    expect(backedOff).toEqual(["early"]);
  });
});

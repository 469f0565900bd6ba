import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqsQueue, drainUrgent, parseJob } from "../../functions/aws/queue";
import { type SendJob, silentLogger } from "../../functions/core/ports";
import { ownerKey } from "../../functions/funnel/owner-mail";
import { startAwsStandIn } from "./aws-standin";

let aws: Awaited<ReturnType<typeof startAwsStandIn>>;
let sqs: SQSClient;
const client = (endpoint: string) =>
  new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
beforeAll(async () => {
  aws = await startAwsStandIn({});
  sqs = client(aws.endpoint);
});
afterAll(async () => {
  sqs?.destroy();
  await aws?.close();
});

const sendUrl = () => `${aws.endpoint}/123456789012/send`;
const urgentUrl = () => `${aws.endpoint}/123456789012/urgent`;
const step = { kind: "step", sid: "sub1", email: "hips-and-your-back", lease: "lease-000001" };
const signin: SendJob = { kind: "signin", owner: ownerKey("clara@yogaforhealthyhips.com") };

describe("on AWS, an owner's sign-in link does not wait behind the drip", () => {
  it("goes to the urgent queue, and a wake job follows on the send queue", async () => {
    await createSqsQueue(sqs, sendUrl(), urgentUrl()).enqueue([step as SendJob, signin]);
    expect((aws.queues.get(urgentUrl()) ?? []).map(parseJob)).toEqual([signin]);
    expect((aws.queues.get(sendUrl()) ?? []).map(parseJob)).toEqual([step, { kind: "wake" }]);
    aws.queues.clear();
  });

  it("a send worker runs the urgent jobs before its batch and deletes only those sent", async () => {
    const tests: SendJob[] = [1, 2, 3].map((n) => ({
      kind: "test",
      owner: signin.owner,
      email: `lesson-${n}`,
    }));
    await createSqsQueue(sqs, sendUrl(), urgentUrl()).enqueue([signin, ...tests]);
    const ran: SendJob[] = [];
    const before = aws.deleted.length;
    const sent = await drainUrgent(
      sqs,
      urgentUrl(),
      async (job) => {
        ran.push(job);
        // One fails (SES throttled it): it stays on the queue for a later drain.
        if (job.kind === "test" && job.email === "lesson-2") throw new Error("throttled");
      },
      silentLogger,
    );
    expect(ran).toHaveLength(4);
    expect(sent).toBe(3);
    expect(aws.deleted.length - before).toBe(3);
    // Nothing waiting: the next drain runs nothing.
    expect(await drainUrgent(sqs, urgentUrl(), async () => {}, silentLogger)).toBe(0);
  });

  it("never holds up the drip batch: an unreachable queue is logged, not thrown", async () => {
    const nowhere = client("http://127.0.0.1:9");
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
    await expect(drainUrgent(nowhere, urgentUrl(), async () => {}, logger)).resolves.toBe(0);
    expect(warnings).toEqual(["could not drain the urgent queue"]);
    nowhere.destroy();
  });

  it("without an urgent queue (the dispatcher), every job goes to the send queue", async () => {
    aws.queues.clear();
    await createSqsQueue(sqs, sendUrl()).enqueue([step as SendJob]);
    expect((aws.queues.get(sendUrl()) ?? []).map(parseJob)).toEqual([step]);
  });
});

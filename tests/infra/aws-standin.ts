import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** What the send Lambda asked of ChangeMessageVisibility. */
export interface VisibilityChange {
  QueueUrl: string;
  ReceiptHandle: string;
  VisibilityTimeout: number;
}

/**
 * A tiny stand-in for the AWS JSON-protocol calls the Lambdas make that no local emulator
 * answers: SQS SendMessageBatch and SendMessage (the messages are kept for the test to hand to
 * the send Lambda), ReceiveMessage (each message once, by queue) and DeleteMessageBatch (recorded),
 * ChangeMessageVisibility (recorded), GetQueueAttributes (set `depths`), and
 * Secrets Manager GetSecretValue (a secret given as `{ AWSCURRENT, AWSPREVIOUS? }` answers by
 * version stage; change the object to rotate it).
 * It also answers as SES v2 does when the account's send rate is exceeded, for a Lambda whose
 * SES endpoint points here: GetAccount reports `sesAccount`, every SendEmail is refused with
 * 429 TooManyRequestsException. Anything else is answered 400, so a new call fails loudly.
 * Listens on 127.0.0.1 only.
 */
export type StandInSecret = string | { AWSCURRENT: string; AWSPREVIOUS?: string };

export async function startAwsStandIn(secrets: Record<string, StandInSecret>, sesAccount = "{}") {
  const messages: string[] = [];
  /** Message bodies by queue URL, for ReceiveMessage (which hands each out once). */
  const queues = new Map<string, string[]>();
  /** Receipt handles deleted (DeleteMessageBatch), oldest first. */
  const deleted: string[] = [];
  const calls: string[] = [];
  const visibilityChanges: VisibilityChange[] = [];
  /** Single messages sent (SendMessage), with their delay, oldest first. */
  const delayed: { QueueUrl: string; MessageBody: string; DelaySeconds: number }[] = [];
  /** SendEmail calls refused as throttled. */
  const throttled: string[] = [];
  /**
   * SQS refuses this many of the next entries it is sent (as a throttled batch would), and
   * this many of the next visibility changes (as for a receipt handle that has expired).
   */
  const faults = { sqsRefusals: 0, visibilityRefusals: 0 };
  /** What GetQueueAttributes reports: the send queue's backlog, and the DLQ's (URL ends -dlq). */
  const depths = { queue: 0, deadLetters: 0 };
  const read = async (req: IncomingMessage) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    return JSON.parse(body || "{}") as Record<string, unknown>;
  };
  const server = createServer(async (req, res) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const input = await read(req);
    calls.push(target || `${req.method} ${req.url}`);
    const reply = (status: number, type: string, body: unknown, headers = {}) => {
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/v2/email/account") {
      return reply(200, "application/json", sesAccount);
    }
    if (req.method === "POST" && req.url === "/v2/email/outbound-emails") {
      const to = (input.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses;
      throttled.push(String(to?.[0]));
      return reply(
        429,
        "application/json",
        { message: "Maximum sending rate exceeded." },
        { "x-amzn-errortype": "TooManyRequestsException" },
      );
    }
    if (target === "AmazonSQS.ChangeMessageVisibility") {
      if (faults.visibilityRefusals > 0) {
        faults.visibilityRefusals--;
        return reply(400, "application/x-amz-json-1.0", {
          __type: "com.amazonaws.sqs#ReceiptHandleIsInvalid",
          message: "The input receipt handle is invalid.",
        });
      }
      visibilityChanges.push(input as unknown as VisibilityChange);
      return reply(200, "application/x-amz-json-1.0", {});
    }
    if (target === "AmazonSQS.GetQueueAttributes") {
      // Dispatch sizes each tick by the send queue's backlog; the dashboard reads the DLQ's.
      const depth = String(input.QueueUrl).endsWith("-dlq") ? depths.deadLetters : depths.queue;
      return reply(200, "application/x-amz-json-1.0", {
        Attributes: {
          ApproximateNumberOfMessages: String(depth),
          ApproximateNumberOfMessagesNotVisible: "0",
          ApproximateNumberOfMessagesDelayed: "0",
        },
      });
    }
    if (target === "AmazonSQS.SendMessageBatch") {
      const entries = input.Entries as { Id: string; MessageBody: string }[];
      const refused = entries.splice(0, Math.min(faults.sqsRefusals, entries.length));
      faults.sqsRefusals -= refused.length;
      for (const e of entries) messages.push(e.MessageBody);
      const url = String(input.QueueUrl);
      queues.set(url, [...(queues.get(url) ?? []), ...entries.map((e) => e.MessageBody)]);
      return reply(200, "application/x-amz-json-1.0", {
        Successful: entries.map((e) => ({
          Id: e.Id,
          MessageId: `m-${messages.indexOf(e.MessageBody)}`,
          // The SDK checks this against the body it sent.
          MD5OfMessageBody: createHash("md5").update(e.MessageBody).digest("hex"),
        })),
        Failed: refused.map((e) => ({ Id: e.Id, SenderFault: false, Code: "InternalError" })),
      });
    }
    if (target === "AmazonSQS.SendMessage") {
      const body = String(input.MessageBody);
      messages.push(body);
      const url = String(input.QueueUrl);
      queues.set(url, [...(queues.get(url) ?? []), body]);
      delayed.push({
        QueueUrl: url,
        MessageBody: body,
        DelaySeconds: Number(input.DelaySeconds ?? 0),
      });
      return reply(200, "application/x-amz-json-1.0", {
        MessageId: `m-${messages.length - 1}`,
        MD5OfMessageBody: createHash("md5").update(body).digest("hex"),
      });
    }
    if (target === "AmazonSQS.ReceiveMessage") {
      const waiting = queues.get(String(input.QueueUrl)) ?? [];
      const taken = waiting.splice(0, Number(input.MaxNumberOfMessages ?? 1));
      return reply(200, "application/x-amz-json-1.0", {
        Messages: taken.map((body, i) => ({
          MessageId: `r-${deleted.length}-${i}`,
          ReceiptHandle: `rh-${createHash("md5").update(body).digest("hex")}-${i}`,
          Body: body,
          MD5OfBody: createHash("md5").update(body).digest("hex"),
        })),
      });
    }
    if (target === "AmazonSQS.DeleteMessageBatch") {
      const entries = input.Entries as { Id: string; ReceiptHandle: string }[];
      deleted.push(...entries.map((e) => e.ReceiptHandle));
      return reply(200, "application/x-amz-json-1.0", {
        Successful: entries.map((e) => ({ Id: e.Id })),
        Failed: [],
      });
    }
    if (target === "secretsmanager.GetSecretValue") {
      const id = String(input.SecretId);
      const secret = secrets[id];
      const stage = String(input.VersionStage ?? "AWSCURRENT");
      const value =
        typeof secret === "string"
          ? stage === "AWSCURRENT"
            ? secret
            : undefined
          : secret?.[stage as keyof typeof secret];
      if (value === undefined) {
        return reply(400, "application/x-amz-json-1.1", {
          __type: "ResourceNotFoundException",
          message: "no such secret",
        });
      }
      return reply(200, "application/x-amz-json-1.1", {
        ARN: id,
        Name: id.split(":").pop(),
        SecretString: value,
        VersionId: `v-${createHash("md5").update(value).digest("hex").slice(0, 8)}`,
        VersionStages: [stage],
      });
    }
    reply(400, "application/x-amz-json-1.0", {
      __type: "UnknownOperationException",
      message: target,
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    depths,
    /** SQS message bodies received so far, oldest first. */
    messages,
    /** Bodies not yet handed out by ReceiveMessage, by queue URL. */
    queues,
    /** Receipt handles deleted by DeleteMessageBatch, oldest first. */
    deleted,
    /** X-Amz-Target of every call (method and path for SES), oldest first. */
    calls,
    /** Accepted ChangeMessageVisibility requests, oldest first. */
    visibilityChanges,
    /** SendMessage requests (one message, with its delay), oldest first. */
    delayed,
    /** Recipient of every SendEmail refused as throttled, oldest first. */
    throttled,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

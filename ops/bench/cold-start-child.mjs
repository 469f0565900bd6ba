// One cold start, in a fresh Node process started by ops/bench/cold-start.ts. Plain JavaScript
// run by `node` itself, with no loader in between, as the Lambda runtime loads a bundle.
//
// argv[2] is a JSON file: { "bundle": "/abs/index.mjs", "events": [...] } imports the bundle and
// invokes its handler with each event in turn; { "packages": ["@aws-sdk/client-dynamodb", ...] }
// only imports those packages (the baseline); with "calls" as well, it then builds a client of
// each service named and makes one small request of it, all at once, and with "fetch" touches
// Node's Request, Response and Headers (the floor: what the SDK and Node cost at a first request
// before any code of ours runs). Prints one JSON line: the milliseconds from the
// start of this script to the end of the imports and to the end of the last request, the CPU
// time this process used meanwhile (on a shared machine, what the wall clock means least), and what
// each request answered, so the caller can check they did the real work.
import { readFileSync } from "node:fs";

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: "cold-start",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:cold-start",
  memoryLimitInMB: "512",
  awsRequestId: "cold-start",
  logGroupName: "/aws/lambda/cold-start",
  logStreamName: "bench",
  getRemainingTimeInMillis: () => 10_000,
};

const answers = [];
let imported;
if (spec.packages) {
  const mods = await Promise.all(spec.packages.map((p) => import(p)));
  imported = performance.now();
  if (spec.calls) {
    const sdk = Object.assign({}, ...mods);
    const env = process.env;
    const requests = {
      secrets: () =>
        new sdk.SecretsManagerClient({}).send(
          new sdk.GetSecretValueCommand({ SecretId: env.KEYS_SECRET_ID }),
        ),
      dynamodb: () =>
        new sdk.DynamoDBClient({}).send(
          new sdk.GetItemCommand({
            TableName: env.TABLE_NAME,
            Key: { pk: { S: "cold-start" }, sk: { S: "floor" } },
          }),
        ),
      sqs: () =>
        new sdk.SQSClient({}).send(
          new sdk.GetQueueAttributesCommand({
            QueueUrl: env.QUEUE_URL,
            AttributeNames: ["ApproximateNumberOfMessages"],
          }),
        ),
      ses: () => new sdk.SESv2Client({}).send(new sdk.GetAccountCommand({})),
    };
    const pending = spec.calls.map((c) => requests[c]());
    if (spec.fetch) new Response(new Request("http://127.0.0.1/", { headers: new Headers() }).body);
    for (const out of await Promise.all(pending)) answers.push(out.$metadata.httpStatusCode);
  }
} else {
  const { handler } = await import(spec.bundle);
  imported = performance.now();
  for (const event of spec.events) {
    const out = await handler(event, context);
    answers.push(out?.statusCode ?? out?.batchItemFailures?.length ?? out ?? null);
  }
}
const done = performance.now();
const cpu = process.cpuUsage(cpuAtStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ importMs: imported - started, totalMs: done - started, cpuMs, answers })}\n`,
);
process.exit(0);

// One cold start, in a fresh Node process started by ops/bench/cold-start.ts. Plain JavaScript
// run by `node` itself, with no loader in between, as the Lambda runtime loads a bundle.
//
// argv[2] is a JSON file: { "bundle": "/abs/index.mjs", "events": [...] } imports the bundle and
// invokes its handler with each event in turn; { "packages": ["@aws-sdk/client-dynamodb", ...] }
// only imports those packages (the baseline). Prints one JSON line: the milliseconds from the
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
  await Promise.all(spec.packages.map((p) => import(p)));
  imported = performance.now();
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

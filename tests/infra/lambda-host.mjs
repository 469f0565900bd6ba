import { parentPort } from "node:worker_threads";

// Loads Lambda bundles with Node's own ESM loader, as the Lambda runtime does (the test runner
// would otherwise transform them), once per bundle like a warm instance, and invokes their
// handlers on request. Its environment is the function's, given when the worker starts.
const modules = new Map();

parentPort.on("message", async ({ id, file, event, functionName, probe }) => {
  if (probe) {
    // What this instance has loaded of Node's fetch implementation (undici), and whether the
    // fetch globals are still the light ones a bundle may put in place (read through their
    // descriptors: reading Node's lazy globals would load it).
    const response = Object.getOwnPropertyDescriptor(globalThis, "Response");
    parentPort.postMessage({
      id,
      result: {
        undici: process.moduleLoadList.some((m) => m.includes("undici")),
        lightResponse: typeof response?.value?.prototype?.markUsed === "function",
      },
    });
    return;
  }
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: `req-${id}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "test",
    getRemainingTimeInMillis: () => 10_000,
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    if (!modules.has(file)) modules.set(file, import(file));
    const { handler } = await modules.get(file);
    parentPort.postMessage({ id, result: await handler(event, context) });
  } catch (error) {
    parentPort.postMessage({ id, error: { name: error?.name, message: String(error?.message) } });
  }
});

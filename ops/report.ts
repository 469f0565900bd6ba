import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { queueBacklog } from "../functions/aws/queue";
import { loadCourse } from "../functions/core/content";
import { buildReport } from "../functions/funnel/report";
import { reportText } from "./lib/report-text";
import { openTarget, runCommand, TARGET_ARGS, TARGET_HELP, targetOptions } from "./lib/target";

const HELP = `npm run report [-- options]: the funnel, the emails and the list, from the counters

  --json           one JSON object instead of text
  --dead-letters URL  with --aws: the dead-letter queue's URL (DeadLetterQueueUrl output), to show its depth
${TARGET_HELP}`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main() {
  const { values } = parseArgs({
    options: {
      ...TARGET_ARGS,
      json: { type: "boolean" },
      "dead-letters": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return console.log(HELP);
  const course = loadCourse("content");
  const target = await openTarget(targetOptions(values));
  try {
    const dlq = values["dead-letters"];
    const deadLetters = dlq
      ? async () => {
          const sqs = new SQSClient(values.region ? { region: values.region } : {});
          try {
            return await queueBacklog(sqs, dlq);
          } finally {
            sqs.destroy();
          }
        }
      : undefined;
    const report = await buildReport({ store: target.store, course, deadLetters }, Date.now());
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else console.log(`${target.description}\n\n${reportText(report)}`);
  } finally {
    await target.close();
  }
}

runCommand(main);

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { createMailer, mailbox } from "../functions/adapters/mailer";
import { createTokens } from "../functions/core/tokens";
import { createSender } from "../functions/funnel/pace";
import { ownerAddresses, sendTest, TestSendError } from "../functions/funnel/test-send";
import { createComposer } from "../functions/mail/compose";
import { ensureCourse } from "../infra/build/course";
import { systemClock } from "../infra/local/clock";
import { localKeys } from "../infra/local/keys";
import { readStackFile } from "../infra/local/stack-file";
import { runCommand } from "./lib/target";

const HELP = `npm run send-test -- <email id> <address> [--data-dir DIR]

Sends one email of the sequence (confirm, welcome or a lesson id) to an owner address (owners
in content/funnel.yaml), rendered from content/ as a subscriber gets it, with [Test] before the
subject. Nothing is recorded. Locally it goes to the inbox of the running npm start (same
DATA_DIR); on AWS, use the "Send me a test" button on /admin.`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "data-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return console.log(HELP);
  const [emailId, address] = positionals;
  if (!emailId || !address || positionals.length > 2) throw new TestSendError(HELP);
  const dataDir = resolve(values["data-dir"] ?? process.env.DATA_DIR ?? ".data");
  const running = readStackFile(dataDir);
  if (!running) {
    throw new TestSendError(
      `npm start is not running on ${dataDir}: start it, then send (the test lands in its inbox)`,
    );
  }
  const { course, emails } = await ensureCourse();
  const ses = new SESv2Client({
    endpoint: running.inboxUrl,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    const { sender } = course.funnel;
    const mailer = createMailer(ses, {
      from: mailbox(sender.name, sender.email),
      replyTo: sender.replyTo,
    });
    const composer = createComposer({
      course,
      emails,
      siteUrl: running.siteUrl,
      tokens: createTokens(localKeys(dataDir).tokenKey),
    });
    const logger = { info() {}, warn() {}, error() {} };
    await sendTest(
      // One email, through the same sender type as every other (its rate never matters here).
      {
        course,
        composer,
        mailer: createSender(mailer, { rate: () => 1 }),
        clock: systemClock,
        logger,
      },
      emailId,
      address,
      ownerAddresses(course.funnel),
    );
    console.log(`Sent "${emailId}" as a test. Open the inbox: ${running.inboxUrl}/`);
  } finally {
    ses.destroy();
  }
}

runCommand(main, [TestSendError]);

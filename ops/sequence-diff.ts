import { parseArgs } from "node:util";
import { loadCourse } from "../functions/core/content";
import { DAY_MS } from "../functions/core/schedule";
import { sequenceDiff } from "../functions/funnel/sequence-diff";
import { sequenceDiffText } from "./lib/sequence-diff-text";
import {
  openTarget,
  runCommand,
  TARGET_ARGS,
  TARGET_HELP,
  TargetError,
  targetOptions,
} from "./lib/target";

const HELP = `npm run sequence:diff [-- options]: what an edit of content/lessons/ will do, before it sends

Compares content/ with the published sequence and shows lessons added, removed, moved and
re-timed, then, for today's subscribers, how many receive which email next and when (counts
only). Reads only; publishing happens when npm start or the deployed send function starts.

  --content DIR    the course to compare (default: content)
  --day-seconds N  length of a sequence day, as FUNNEL_DAY_SECONDS for npm start (default 86400)
  --json           one JSON object instead of text
${TARGET_HELP}`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main() {
  const { values } = parseArgs({
    options: {
      ...TARGET_ARGS,
      content: { type: "string" },
      "day-seconds": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return console.log(HELP);
  const daySeconds = Number(values["day-seconds"] ?? process.env.FUNNEL_DAY_SECONDS ?? 86_400);
  if (!(daySeconds > 0)) throw new TargetError("--day-seconds must be a positive number");
  const course = loadCourse(values.content ?? "content");
  const target = await openTarget(targetOptions(values));
  try {
    const dayMs = daySeconds === 86_400 ? DAY_MS : daySeconds * 1000;
    const diff = await sequenceDiff({ store: target.store, course, dayMs }, Date.now());
    if (values.json) console.log(JSON.stringify(diff, null, 2));
    else console.log(`${target.description}\n\n${sequenceDiffText(diff)}`);
  } finally {
    await target.close();
  }
}

runCommand(main);

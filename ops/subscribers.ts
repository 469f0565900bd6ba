import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sequenceOrder } from "../functions/core/sequence";
import { subscribersCsv } from "../functions/funnel/export";
import { planImport } from "../functions/funnel/import";
import { ensureCourse } from "../infra/build/course";
import { openTarget, TARGET_ARGS, TARGET_HELP, TargetError, targetOptions } from "./lib/target";

const HELP = `npm run subscribers -- export [--out FILE]     every subscriber as CSV (status, dates, consent)
npm run subscribers -- check FILE [--active-at ID]   check a CSV for import; lists bad lines

Importing runs from the dashboard (/admin, "Import subscribers"): there each new address's
confirmation joins the paced send queue with all other mail. Check a file here first.
${TARGET_HELP}`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

class UsageError extends Error {
  override name = "UsageError";
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ...TARGET_ARGS,
      out: { type: "string" },
      "active-at": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command) return console.log(HELP);
  if (command === "check") {
    if (!file) throw new UsageError("check needs a CSV file");
    const { course } = await ensureCourse();
    const plan = planImport(
      readFileSync(file, "utf8"),
      { activeAt: values["active-at"] },
      {
        emailIds: sequenceOrder(course).map((e) => e.id),
        defaultZone: course.funnel.sequence.timeZone,
        now: Date.now(),
      },
    );
    if (!plan.ok) {
      for (const e of plan.errors)
        console.error(e.line ? `line ${e.line}: ${e.message}` : e.message);
      process.exit(1);
    }
    return console.log(`${plan.rows.length} rows, all fine. Import them from /admin.`);
  }
  if (command !== "export") throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
  const target = await openTarget(targetOptions(values));
  try {
    const csv = await subscribersCsv(target.store);
    if (values.out) {
      writeFileSync(values.out, csv, { mode: 0o600 });
      console.error(`wrote ${values.out} from ${target.description}`);
    } else process.stdout.write(csv);
  } finally {
    await target.close();
  }
}

main().catch((e: unknown) => {
  const name = (e as Error).name;
  if (
    e instanceof TargetError ||
    name === "UsageError" ||
    (e as { code?: string }).code?.startsWith("ERR_")
  ) {
    console.error((e as Error).message);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});

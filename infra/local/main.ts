import { resolve } from "node:path";
import { z } from "zod";
import { ContentError } from "../../functions/core/errors";
import { parseRateLimit } from "../../functions/core/limits";
import { startLocalStack } from "./stack";
import { watchDir } from "./watch";

/** `npm start`: the whole funnel on this machine, configured only by optional env vars. */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  DATA_DIR: z.string().min(1).default(".data"),
  FUNNEL_DAY_SECONDS: z.coerce.number().positive().default(86_400),
  MAX_SEND_RATE: z.coerce.number().positive().default(14),
  /** Signups per client: "10/6s" (a burst of 10, then one every 6 s) or "off". */
  SIGNUP_RATE_LIMIT: z
    .string()
    .default("10/6s")
    .transform((s, ctx) => {
      try {
        return parseRateLimit(s);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    }),
});

// Lambda runs Node 22; the SDK's notice about future releases is noise on a local Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const parsed = Env.safeParse(process.env);
if (!parsed.success) {
  for (const i of parsed.error.issues) console.error(`${i.path.join(".")}: ${i.message}`);
  process.exit(2);
}
const env = parsed.data;

const stack = await startLocalStack({
  port: env.PORT,
  sesPort: env.SES_PORT,
  dataDir: resolve(env.DATA_DIR),
  daySeconds: env.FUNNEL_DAY_SECONDS,
  maxSendRate: env.MAX_SEND_RATE,
  signupRateLimit: env.SIGNUP_RATE_LIMIT,
  scheduler: true,
}).catch((e: unknown) => {
  if (e instanceof ContentError) console.error(`content/${e.message}`);
  else if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
    console.error(`${(e as Error).message}: set PORT or SES_PORT to a free port`);
  else console.error(e);
  process.exit(1);
});

const day = env.FUNNEL_DAY_SECONDS === 86_400 ? "real time" : `1 day = ${env.FUNNEL_DAY_SECONDS} s`;
console.log(`
  ${stack.course.funnel.brand.name} is running (${day})

  Landing page  ${stack.siteUrl}/
  Inbox         ${stack.inboxUrl}/
  Data          ${resolve(env.DATA_DIR)}

  Edits in content/ are picked up as you save them.
  Press Ctrl-C to stop.
`);

// Edits in content/ show up without a restart; a mistake keeps the last good course serving.
const contentDir = resolve("content");
const stopWatching = watchDir(contentDir, async (files) => {
  const what =
    files.length > 3
      ? `${files.slice(0, 3).join(", ")} and ${files.length - 3} more`
      : files.join(", ");
  try {
    await stack.reload();
    console.log(`  content reloaded (${what})`);
  } catch (e) {
    const message = e instanceof ContentError ? `content/${e.message}` : String(e);
    console.error(
      `  content not reloaded: ${message}\n  still serving the last good version; fix the file and save it again`,
    );
  }
});

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  stopWatching();
  setTimeout(() => process.exit(1), 5000).unref();
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

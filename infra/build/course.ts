import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  COMPILED_FORMAT,
  type CompiledCourse,
  CompiledCourseError,
  parseCompiledCourse,
} from "../../functions/mail/compiled";

/**
 * The build step every entry point runs before it needs the course (`npm start`, the CDK
 * bundling hook, the tests' global setup, the preview): `content/` and the react-email
 * templates compiled into `.build/course.json` (git-ignored), rebuilt only when something it
 * was built from changed. `tsx infra/build/course.ts` runs it by hand.
 */

export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEFAULT_CONTENT_DIR = join(PROJECT_ROOT, "content");
/** Where the build output lives; the Lambda bundles copy it next to their code. */
export const COURSE_FILE = join(PROJECT_ROOT, ".build", "course.json");

/** What the compiled course is made from, besides the content: change one and it rebuilds. */
const SOURCES = [
  "emails",
  "functions/core/content.ts",
  "functions/core/links.ts",
  "functions/http/admin/style.ts",
  "functions/http/fonts.ts",
  "functions/http/pages/color.ts",
  "functions/http/pages/site-css.ts",
  "functions/http/pages/site-js.ts",
  "functions/http/site-texts.ts",
  "functions/mail/compile.ts",
  "functions/mail/compiled.ts",
  "functions/mail/personalise.ts",
  "functions/mail/render.ts",
  "infra/build/course.ts",
  "package-lock.json",
];

function filesUnder(path: string): string[] {
  try {
    return readdirSync(path, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  } catch {
    // a plain file, or missing: the content loader names what it needed
    return [path];
  }
}

/** A hash of the content files the loader reads and of every source of the compiled form. */
export function courseInputs(contentDir: string): string {
  const hash = createHash("sha256").update(`format ${COMPILED_FORMAT}\n`);
  const content = ["funnel.yaml", "privacy.md", "emails", "lessons"].flatMap((f) =>
    filesUnder(join(contentDir, f)),
  );
  const sources = SOURCES.flatMap((f) => filesUnder(join(PROJECT_ROOT, f)));
  for (const file of [...content.sort(), ...sources.sort()]) {
    hash.update(`${relative(PROJECT_ROOT, file)}\n`);
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update("(missing)");
    }
  }
  return hash.digest("hex").slice(0, 32);
}

/**
 * Loads and validates `content/` and renders every email: React and the parsers are imported
 * here, on demand, never by what only reads the result.
 */
export async function compileCourse(contentDir: string, inputs = courseInputs(contentDir)) {
  const [{ loadCourse }, { compileEmails }, { siteTexts }] = await Promise.all([
    import("../../functions/core/content"),
    import("../../functions/mail/compile"),
    import("../../functions/http/site-texts"),
  ]);
  const course = loadCourse(contentDir);
  course.funnel.site = siteTexts(course.funnel.brand.accentColor);
  const compiled: CompiledCourse = {
    format: COMPILED_FORMAT,
    inputs,
    course,
    emails: await compileEmails(course),
  };
  return compiled;
}

function readFresh(file: string, inputs: string): CompiledCourse | undefined {
  try {
    const compiled = parseCompiledCourse(readFileSync(file, "utf8"));
    return compiled.inputs === inputs ? compiled : undefined;
  } catch (e) {
    if (e instanceof CompiledCourseError || (e as NodeJS.ErrnoException).code === "ENOENT") {
      return undefined;
    }
    throw e;
  }
}

/**
 * The compiled course for `contentDir`: read from the build output when it is up to date,
 * otherwise built (and, for the project's own `content/`, written there atomically, so
 * processes building at once never read half a file). Throws ContentError for bad content.
 * @example const { course, emails } = await ensureCourse();
 */
export async function ensureCourse(contentDir = DEFAULT_CONTENT_DIR): Promise<CompiledCourse> {
  const dir = resolve(contentDir);
  const inputs = courseInputs(dir);
  const own = dir === resolve(DEFAULT_CONTENT_DIR);
  if (own) {
    const fresh = readFresh(COURSE_FILE, inputs);
    if (fresh) return fresh;
  }
  const compiled = await compileCourse(dir, inputs);
  if (own) {
    mkdirSync(join(PROJECT_ROOT, ".build"), { recursive: true });
    const tmp = `${COURSE_FILE}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(compiled));
    renameSync(tmp, COURSE_FILE);
  }
  return compiled;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const compiled = await ensureCourse();
  console.log(
    `course compiled: ${Object.keys(compiled.emails).length} emails -> ${relative(process.cwd(), COURSE_FILE)}`,
  );
}

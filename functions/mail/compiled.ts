import { readFileSync } from "node:fs";
import type { Course } from "../core/content";
import type { RenderedTemplate } from "./personalise";

/**
 * The course as the build leaves it (see infra/build/course.ts): the validated content, its
 * page markdown already HTML, and every email rendered once by react-email into subject, HTML
 * and text with `{{placeholders}}`. The Lambdas and `npm start` load this and nothing else, so
 * neither carries React, a markdown or YAML parser, nor the content loader, and both send the
 * same bytes.
 */

/** Bumped when the shape below changes, so an old build output is rebuilt, never misread. */
export const COMPILED_FORMAT = 1;

/**
 * The id of the email with fresh download and erase links (emails/data-links.tsx), compiled
 * beside the course's own. Content ids match `^[a-z0-9-]+$`, so no lesson can take this one.
 */
export const DATA_LINKS_EMAIL = "_data-links";

/** One email: the rendered template and the content link ids it tracks (`{{link:<id>}}`). */
export interface CompiledEmail extends RenderedTemplate {
  readonly links: readonly string[];
}

export interface CompiledCourse {
  format: typeof COMPILED_FORMAT;
  /** A hash of everything the build read (content, templates, the compiler, the lock file). */
  inputs: string;
  course: Course;
  /** By email id: the confirmation, the welcome, every lesson and {@link DATA_LINKS_EMAIL}. */
  emails: Record<string, CompiledEmail>;
}

/** The compiled course file is missing, unreadable or from another format. */
export class CompiledCourseError extends Error {
  override readonly name = "CompiledCourseError";
}

/**
 * Parses a compiled course (JSON text) and checks it is whole: every email of the course has
 * its template. Throws {@link CompiledCourseError}.
 * @example const compiled = parseCompiledCourse(readFileSync("course.json", "utf8"));
 */
export function parseCompiledCourse(json: string): CompiledCourse {
  let data: CompiledCourse;
  try {
    data = JSON.parse(json) as CompiledCourse;
  } catch {
    throw new CompiledCourseError("the compiled course is not JSON");
  }
  if (data?.format !== COMPILED_FORMAT || !data.course || !data.emails) {
    throw new CompiledCourseError(`the compiled course is not format ${COMPILED_FORMAT}`);
  }
  const { course } = data;
  for (const id of [course.confirm.id, course.welcome.id, ...course.lessons.map((l) => l.id)]) {
    if (!data.emails[id]) throw new CompiledCourseError(`no compiled email '${id}'`);
  }
  if (!data.emails[DATA_LINKS_EMAIL]) {
    throw new CompiledCourseError(`no compiled email '${DATA_LINKS_EMAIL}'`);
  }
  return data;
}

/**
 * Reads the compiled course a Lambda carries beside its code (copied there at bundling).
 * @example const compiled = readCompiledCourse(fileURLToPath(new URL("./course.json", import.meta.url)));
 */
export function readCompiledCourse(file: string): CompiledCourse {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new CompiledCourseError(`no compiled course at ${file}`);
  }
  return parseCompiledCourse(text);
}

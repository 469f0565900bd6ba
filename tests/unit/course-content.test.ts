import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_LINKS, loadCourse, parseCourse } from "../../functions/core/content";
import { ContentError } from "../../functions/core/errors";

const DIR = "content";

/** The course as file name -> text, the shape parseCourse takes. */
function courseFiles(): Record<string, string> {
  const files: Record<string, string> = {
    "funnel.yaml": readFileSync(join(DIR, "funnel.yaml"), "utf8"),
  };
  for (const sub of ["emails", "lessons"]) {
    for (const name of readdirSync(join(DIR, sub))) {
      if (name.endsWith(".md"))
        files[`${sub}/${name}`] = readFileSync(join(DIR, sub, name), "utf8");
    }
  }
  return files;
}

function errorOf(files: Record<string, string>): ContentError {
  try {
    parseCourse(files);
  } catch (e) {
    if (e instanceof ContentError) return e;
    throw e;
  }
  throw new Error("expected a ContentError");
}

function words(markdown: string): number {
  return markdown.split(/\s+/).filter(Boolean).length;
}

describe("the course in content/", () => {
  const course = loadCourse(DIR);
  const known = new Set([...Object.keys(course.funnel.links), ...BUILTIN_LINKS]);

  it("loads with at least five lessons and unique subjects", () => {
    expect(course.lessons.length).toBeGreaterThanOrEqual(5);
    const subjects = course.lessons.map((l) => l.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it("links every email only to known links", () => {
    for (const doc of [course.confirm, course.welcome, ...course.lessons]) {
      const used = [...doc.body.matchAll(/\]\(link:([^)\s]+)\)/g)].map((m) => m[1]);
      if (doc.button) used.push(doc.button.link);
      for (const id of used) expect(known, `${doc.file} uses link:${id}`).toContain(id);
    }
  });

  it("points the guide link at the guide's path", () => {
    expect(course.funnel.links.guide).toBe(course.funnel.guide.path);
    expect(course.confirm.button?.link).toBe("confirm");
    expect(course.welcome.body).toContain("](link:guide)");
  });

  it("keeps lessons short, without a greeting or sign-off of their own", () => {
    for (const lesson of course.lessons) {
      expect(words(lesson.body), lesson.file).toBeGreaterThanOrEqual(150);
      expect(words(lesson.body), lesson.file).toBeLessThanOrEqual(300);
      expect(lesson.body, lesson.file).not.toMatch(/^(hi|hello|dear)\b/i);
    }
  });
});

describe("parseCourse errors name the file and the field", () => {
  it("reports a missing funnel.yaml", () => {
    const { "funnel.yaml": _dropped, ...files } = courseFiles();
    expect(errorOf(files).message).toBe("funnel.yaml: file is missing");
  });

  it("reports a bad sender email", () => {
    const files = courseFiles();
    files["funnel.yaml"] = (files["funnel.yaml"] as string).replace(
      "email: hello@yogaforhealthyhips.com",
      "email: not-an-address",
    );
    const { message } = errorOf(files);
    expect(message).toContain("funnel.yaml");
    expect(message).toContain("sender.email");
  });

  it("reports an unknown link in a lesson", () => {
    const files = courseFiles();
    files["lessons/03-hip-flexor-stretch.md"] += "\nSee [this](link:xyz).\n";
    const { message } = errorOf(files);
    expect(message).toContain("lessons/03-hip-flexor-stretch.md");
    expect(message).toContain("link:xyz");
  });

  it("reports a lesson without delayDays", () => {
    const files = courseFiles();
    const file = "lessons/02-bowl-of-water.md";
    files[file] = (files[file] as string).replace(/^delayDays: .*\n/m, "");
    const { message } = errorOf(files);
    expect(message).toContain(file);
    expect(message).toContain("delayDays");
  });
});

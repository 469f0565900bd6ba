import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BUILTIN_LINKS,
  linkPlaceholderKey,
  loadCourse,
  parseCourse,
} from "../../functions/core/content";
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
    // The welcome email offers the guide as its second button.
    expect(course.welcome.secondaryButton?.link).toBe("guide");
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

describe("links are valid where they are used, or refused at start", () => {
  const LESSON = "lessons/03-hip-flexor-stretch.md";
  const CONFIRM = "emails/confirm.md";
  const WELCOME = "emails/welcome.md";
  /** The course with `edit` applied to one file's text. */
  const edited = (file: string, edit: (text: string) => string) => {
    const files = courseFiles();
    files[file] = edit(files[file] as string);
    return files;
  };
  const withButton = (link: string) => (text: string) =>
    text
      .replace(/^button: .*$/m, "")
      .replace(/^id: /m, `button: { label: "Go", link: ${link} }\nid: `);
  const append = (md: string) => (text: string) => `${text}\n${md}\n`;

  it.each([
    [
      "a confirm link in a lesson body",
      LESSON,
      append("[Confirm](link:confirm)"),
      "body",
      "only works in emails/confirm.md",
    ],
    [
      "a confirm button on a lesson",
      LESSON,
      withButton("confirm"),
      "button.link",
      "only works in emails/confirm.md",
    ],
    [
      "a confirm button on the welcome email",
      WELCOME,
      withButton("confirm"),
      "button.link",
      "only works in emails/confirm.md",
    ],
    [
      "an unsubscribe link in the confirmation",
      CONFIRM,
      append("[Leave](link:unsubscribe)"),
      "body",
      "confirmation email",
    ],
    [
      "a manage link in the confirmation",
      CONFIRM,
      append("[Manage](link:manage)"),
      "body",
      "confirmation email",
    ],
    [
      "a content link in the confirmation",
      CONFIRM,
      append("[Watch](link:masterclass)"),
      "body",
      "confirmation email",
    ],
    [
      "a content button on the confirmation",
      CONFIRM,
      withButton("masterclass"),
      "button.link",
      "confirmation email",
    ],
    [
      "an unknown link in a lesson body",
      LESSON,
      append("[x](link:nowhere)"),
      "body",
      "unknown link 'link:nowhere'",
    ],
    [
      "an unknown button link",
      LESSON,
      withButton("nowhere"),
      "button.link",
      "unknown link 'nowhere'",
    ],
    ["an empty link id", LESSON, append("[x](link:)"), "body", "unknown link 'link:'"],
    [
      "a link: reference that is not a link target",
      LESSON,
      append("[guide]: link:guide"),
      "body",
      "only as a markdown link target",
    ],
  ])("refuses %s, naming file and field", (_label, file, edit, field, detail) => {
    const error = errorOf(edited(file, edit));
    expect(error.file).toBe(file);
    expect(error.detail.startsWith(`${field}: `), error.message).toBe(true);
    expect(error.detail).toContain(detail);
  });

  it("refuses a funnel link named like a built-in one", () => {
    const files = edited("funnel.yaml", (t) =>
      t.replace("  masterclass: /masterclass", "  masterclass: /masterclass\n  unsubscribe: /bye"),
    );
    expect(errorOf(files).message).toBe(
      "funnel.yaml: links.unsubscribe: 'unsubscribe' is a built-in link; give this one another name",
    );
  });

  it.each([
    ["an unsubscribe link in a lesson body", LESSON, append("[Leave](link:unsubscribe)")],
    ["a manage button on a lesson", LESSON, withButton("manage")],
    ["an unsubscribe button on the welcome email", WELCOME, withButton("unsubscribe")],
    ["the confirm button on the confirmation", CONFIRM, withButton("confirm")],
    ["prose that says link: in passing", LESSON, append("Here is the link: below.")],
  ])("accepts %s", (_label, file, edit) => {
    expect(() => parseCourse(edited(file, edit))).not.toThrow();
  });

  it("built-in links become the signed page links, content links tracked clicks", () => {
    expect(linkPlaceholderKey("unsubscribe")).toBe("unsubscribeUrl");
    expect(linkPlaceholderKey("manage")).toBe("manageUrl");
    expect(linkPlaceholderKey("confirm")).toBe("confirmUrl");
    expect(linkPlaceholderKey("guide")).toBe("link:guide");
  });
});

describe("built-in links in a lesson body work in the email sent", () => {
  it("link:unsubscribe and link:manage become the signed unsubscribe and manage links", async () => {
    const { compileEmails } = await import("../../functions/mail/compile");
    const { createComposer } = await import("../../functions/mail/compose");
    const { createTokens } = await import("../../functions/core/tokens");
    const files = courseFiles();
    const file = "lessons/03-hip-flexor-stretch.md";
    files[file] += "\n[Leave the course](link:unsubscribe) or [see your data](link:manage).\n";
    const course = parseCourse(files);
    const lesson = course.lessons.find((l) => l.file === file);
    const composer = createComposer({
      course,
      emails: await compileEmails(course),
      siteUrl: "https://hips.example",
      tokens: createTokens("k".repeat(64)),
    });
    const sub = { sid: "s".repeat(22), email: "ana@example.com", firstName: "Ana" };
    const email = composer.email(sub as never, lesson?.id ?? "", Date.parse("2026-03-01T09:00Z"));
    const hrefs = [...email.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);
    const leave = email.html.match(/href="([^"]+)"[^>]*>Leave the course/)?.[1];
    const data = email.html.match(/href="([^"]+)"[^>]*>see your data/)?.[1];
    expect(leave).toMatch(/^https:\/\/hips\.example\/u\?t=/);
    expect(data).toMatch(/^https:\/\/hips\.example\/manage\?t=/);
    // Never a tracked click through a link id the click route does not know.
    expect(hrefs.some((h) => /\/c\/(unsubscribe|manage)\//.test(h))).toBe(false);
  });
});

describe("sequence settings", () => {
  const withSequence = (lines: string) => {
    const files = courseFiles();
    files["funnel.yaml"] = (files["funnel.yaml"] as string).replace(
      "  id: hips-masterclass\n",
      `  id: hips-masterclass\n${lines}`,
    );
    return files;
  };

  it("refuses the old sequence.version, which would do nothing, saying why", () => {
    const error = errorOf(withSequence("  version: 2\n"));
    expect(error.file).toBe("funnel.yaml");
    expect(error.detail).toMatch(/^sequence\.version: no longer used/);
  });

  it("sends lessons appended later to completed subscribers unless told not to", () => {
    const { "funnel.yaml": yaml, ...rest } = courseFiles();
    const without = (yaml as string).replace(/^ {2}sendNewLessonsToCompleted: .*\n/m, "");
    expect(parseCourse({ ...rest, "funnel.yaml": without }).funnel.sequence).toMatchObject({
      sendNewLessonsToCompleted: true,
    });
    const off = without.replace(
      "  id: hips-masterclass\n",
      "  id: hips-masterclass\n  sendNewLessonsToCompleted: false\n",
    );
    expect(
      parseCourse({ ...rest, "funnel.yaml": off }).funnel.sequence.sendNewLessonsToCompleted,
    ).toBe(false);
  });
});

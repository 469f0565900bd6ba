import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "@react-email/render";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Subscriber } from "../../functions/core/subscriber";
import { createTokens } from "../../functions/core/tokens";
import { emailElements } from "../../functions/mail/compile";
import {
  type CompiledCourse,
  CompiledCourseError,
  DATA_LINKS_EMAIL,
  parseCompiledCourse,
} from "../../functions/mail/compiled";
import { createComposer } from "../../functions/mail/compose";
import { plainText } from "../../functions/mail/render";
import { courseInputs, DEFAULT_CONTENT_DIR, ensureCourse } from "../../infra/build/course";

let compiled: CompiledCourse;
beforeAll(async () => {
  compiled = await ensureCourse();
});

const SITE = "https://hips.example";
const NOW = Date.parse("2026-03-01T09:00:00Z");

function subscriber(firstName: string): Subscriber {
  return { sid: "s".repeat(43), email: "ana@example.com", firstName } as Subscriber;
}

const composer = () =>
  createComposer({
    course: compiled.course,
    emails: compiled.emails,
    siteUrl: SITE,
    tokens: createTokens("k".repeat(64)),
  });

const ids = () => {
  const { confirm, welcome, lessons } = compiled.course;
  return [confirm.id, welcome.id, ...lessons.map((l) => l.id), DATA_LINKS_EMAIL];
};

/** What the composer sends for email `id`. */
const send = (c: ReturnType<typeof composer>, sub: Subscriber, id: string) =>
  id === compiled.course.confirm.id
    ? c.confirmation(sub, NOW)
    : id === DATA_LINKS_EMAIL
      ? c.dataLinks(sub, NOW)
      : c.email(sub, id, NOW);

describe("the compiled course", () => {
  it("has one email per content document and the data-links email, each with its subject and only known placeholders", () => {
    const { course, emails } = compiled;
    expect(Object.keys(emails).sort()).toEqual(ids().sort());
    const known = new Set([
      "firstName",
      "siteHost",
      "privacyUrl",
      "confirmUrl",
      "unsubscribeUrl",
      "manageUrl",
      ...Object.keys(course.funnel.links).map((l) => `link:${l}`),
    ]);
    const data = emails[DATA_LINKS_EMAIL];
    for (const part of [data?.html ?? "", data?.text ?? ""]) {
      const keys = [...part.matchAll(/\{\{([^{}]*)\}\}/g)].map((m) => m[1]);
      expect(new Set(keys)).toEqual(new Set(["exportUrl", "eraseUrl", "siteHost", "privacyUrl"]));
    }
    for (const doc of [course.confirm, course.welcome, ...course.lessons]) {
      const email = emails[doc.id];
      expect(email?.subject).toBe(doc.subject);
      for (const part of [email?.html ?? "", email?.text ?? ""]) {
        for (const [, key] of part.matchAll(/\{\{([^{}]*)\}\}/g)) expect(known).toContain(key);
      }
    }
  });

  it("carries the pages' markdown as HTML, so the web function needs no parser", () => {
    const { html, landing } = compiled.course.funnel;
    expect(landing.body).toMatch(/\*with\*/);
    expect(html.landing).toContain("<em>with</em>");
    expect(html.thanks).toMatch(/^<p>/);
    expect(html.masterclass).toMatch(/^<p>/);
  });

  it("is refused when incomplete or from another format", () => {
    const json = JSON.stringify(compiled);
    expect(parseCompiledCourse(json).inputs).toBe(compiled.inputs);
    expect(() => parseCompiledCourse(json.replace('"format":1', '"format":0'))).toThrow(
      CompiledCourseError,
    );
    const missing = structuredClone(compiled);
    delete missing.emails[compiled.course.welcome.id];
    expect(() => parseCompiledCourse(JSON.stringify(missing))).toThrow(/no compiled email/);
    const noDataLinks = structuredClone(compiled);
    delete noDataLinks.emails[DATA_LINKS_EMAIL];
    expect(() => parseCompiledCourse(JSON.stringify(noDataLinks))).toThrow(/no compiled email/);
    expect(() => parseCompiledCourse("{")).toThrow(CompiledCourseError);
  });
});

describe("the build's inputs", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hh-content-"));
    cpSync(DEFAULT_CONTENT_DIR, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("change when a lesson is edited, so the compiled course is rebuilt", () => {
    const before = courseInputs(dir);
    expect(courseInputs(dir)).toBe(before);
    writeFileSync(join(dir, "lessons", "99-new-lesson.md"), "---\nid: x\n---\nnew");
    expect(courseInputs(dir)).not.toBe(before);
  });

  it("ignore the media and the guide, which no email is built from", () => {
    const before = courseInputs(dir);
    writeFileSync(join(dir, "media", "extra.txt"), "x");
    writeFileSync(join(dir, "guide", "extra.txt"), "x");
    expect(courseInputs(dir)).toBe(before);
  });
});

describe("composing from the compiled course", () => {
  /** One recipient's email rendered directly by react-email, as before templates were compiled. */
  async function direct(id: string, values: Record<string, string>) {
    const entry = emailElements(compiled.course, (key) => {
      const value = values[key];
      if (value === undefined) throw new Error(`no value for ${key}`);
      return value;
    }).get(id);
    if (!entry) throw new Error(`no email ${id}`);
    const html = await render(entry.element());
    return { subject: entry.subject, html, text: plainText(html) };
  }

  it.each(["Ana", `<b>O'Brien</b> & "Sons"`, "سارا 🌸"])(
    "gives the same bytes as a direct render for every email (%s)",
    async (firstName) => {
      const c = composer();
      const sub = subscriber(firstName);
      for (const id of ids()) {
        const sent = send(c, sub, id);
        const expected = await direct(id, c.valuesFor(sub, id, NOW));
        expect(sent.html, id).toBe(expected.html);
        expect(sent.text, id).toBe(expected.text);
        expect(sent.subject, id).toBe(expected.subject);
      }
    },
  );

  it("fills the site's host and every link; nothing is left as a placeholder", () => {
    const c = composer();
    for (const id of ids()) {
      const sub = subscriber("Ana");
      const sent = send(c, sub, id);
      for (const part of [sent.html, sent.text, sent.subject])
        expect(part).not.toMatch(/\{\{|\}\}/);
      expect(sent.text).toContain("hips.example");
    }
  });

  it("refuses an email id the course does not have", () => {
    expect(() => composer().email(subscriber("Ana"), "no-such-lesson", NOW)).toThrow(
      /no compiled email/,
    );
  });

  it("refuses the names every object has, though plans are made on first use", () => {
    for (const id of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(() => composer().email(subscriber("Ana"), id, NOW)).toThrow(/no compiled email/);
    }
  });

  it("gives the same bytes whichever email is composed first", () => {
    const [a, b] = [composer(), composer()];
    const order = ids();
    const first = order.map((id) => send(a, subscriber("Ana"), id));
    const reversed = [...order].reverse().map((id) => send(b, subscriber("Ana"), id));
    expect(reversed.reverse()).toEqual(first);
  });
});

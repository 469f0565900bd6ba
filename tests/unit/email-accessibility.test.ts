import { describe, expect, it } from "vitest";
import { ensureCourse } from "../../infra/build/course";

const { emails } = await ensureCourse();

/** Every `<img …>` tag in the HTML. */
const images = (html: string) => [...html.matchAll(/<img\b[^>]*>/gi)].map((m) => m[0]);

describe.each(Object.entries(emails))("the compiled %s email", (_id, email) => {
  it("keeps a plain-text part with words in it", () => {
    expect(email.text.trim().split(/\s+/).length).toBeGreaterThan(20);
    expect(email.text).not.toMatch(/<[a-z][^>]*>/i);
  });

  it("gives every image alt text (empty only for decoration)", () => {
    for (const tag of images(email.html)) expect(tag, tag).toMatch(/\salt="[^"]*"/);
  });

  it("declares its language", () => {
    expect(email.html).toMatch(/<html[^>]*\slang="en"/);
  });
});

describe("the alt-text check", () => {
  it("catches an image without alt", () => {
    const tags = images('<p><img src="/a.png" width="10"></p><img alt="" src="/b.png">');
    expect(tags.filter((t) => !/\salt="[^"]*"/.test(t))).toEqual(['<img src="/a.png" width="10">']);
  });
});

const course = (await ensureCourse()).course;
const LINK_TOKEN = /https?:\/\/\S+|\{\{(?:link:[a-z0-9-]+|[A-Za-z]+Url)\}\}/g;

describe.each(Object.entries(emails))("the %s email's words and links", (_id, email) => {
  it("puts every link in the text part on a line of its own, nothing touching it", () => {
    for (const line of email.text.split("\n")) {
      const links = line.match(LINK_TOKEN) ?? [];
      if (links.length) expect(line, line).toBe(links[0]);
    }
  });

  it("links the privacy notice from its footer", () => {
    expect(email.html).toContain('href="{{privacyUrl}}"');
    expect(email.text).toContain("How I look after your details\n{{privacyUrl}}");
  });
});

describe("the welcome email", () => {
  const { html } = emails[course.welcome.id] as { html: string };
  it("offers the masterclass button before the second paragraph, and the guide as a second button", () => {
    const masterclass = html.indexOf('href="{{link:masterclass}}"');
    const guide = html.indexOf('href="{{link:guide}}"');
    expect(masterclass).toBeGreaterThan(0);
    expect(masterclass).toBeLessThan(html.indexOf("The masterclass walks you through"));
    expect(guide).toBeGreaterThan(masterclass);
    expect(guide).toBeLessThan(html.indexOf("The masterclass walks you through"));
    expect(html.slice(guide, guide + 2000)).toContain("Download the guide (PDF)");
  });
});

describe("the last lesson", () => {
  it("ends with the next step from content, and only the last one has it", () => {
    const last = course.lessons.at(-1)?.id as string;
    for (const lesson of course.lessons) {
      const has = (emails[lesson.id]?.text ?? "").includes("Where to go from here");
      expect(has, lesson.id).toBe(lesson.id === last);
    }
    expect(emails[last]?.html).toContain('href="{{link:classes}}"');
  });
});

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

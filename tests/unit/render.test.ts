import { render } from "@react-email/render";
import { createElement } from "react";
import { beforeAll, describe, expect, it } from "vitest";
import LessonEmail from "../../emails/lesson";
import WelcomeEmail from "../../emails/welcome";
import {
  htmlToTextOptions,
  linkPlaceholders,
  PlaceholderError,
  personalise,
  placeholder,
  plainText,
  type RenderedTemplate,
  renderTemplate,
} from "../../functions/mail/render";

const brand = {
  name: "Test Hips",
  teacher: "Teacher Tess",
  accentColor: "#2f6f5e",
  postalAddress: "7 Test Street, Testville TE5 7ST",
  siteUrl: "https://test-hips.example",
};

const body = [
  "# Start here",
  "Read [the guide](link:guide) before the [class](link:masterclass).",
  "A very long line that goes on and on so that any word wrapping at eighty columns would have to break it somewhere near the link [the guide again](link:guide) which must stay in one piece.",
].join("\n\n");

function welcome() {
  return createElement(WelcomeEmail, {
    brand,
    preheader: "Your class is ready",
    firstName: "{{firstName}}",
    bodyMarkdown: linkPlaceholders(body),
    button: { label: "Watch the masterclass", href: placeholder("link:masterclass") },
    unsubscribeUrl: "{{unsubscribeUrl}}",
    manageUrl: "{{manageUrl}}",
  });
}

const values = {
  firstName: "Ana",
  unsubscribeUrl: "https://test-hips.example/u?t=uns.sig&x=1",
  manageUrl: "https://test-hips.example/manage?t=man.sig",
  "link:guide": "https://test-hips.example/c/guide.sig",
  "link:masterclass": "https://test-hips.example/c/mc.sig",
};

let t: RenderedTemplate;
beforeAll(async () => {
  t = await renderTemplate(welcome(), "Welcome, {{firstName}}");
});

const placeholdersIn = (s: string) => [...s.matchAll(/\{\{[^{}]*\}\}/g)].map((m) => m[0]).sort();

describe("linkPlaceholders", () => {
  it.each([
    ["[a](link:guide)", "[a]({{link:guide}})"],
    [
      "[a](link:guide) and [b](link:master-class-2)",
      "[a]({{link:guide}}) and [b]({{link:master-class-2}})",
    ],
    ["[a](https://example.com/link:guide)", "[a](https://example.com/link:guide)"],
    ["no links here", "no links here"],
  ])("%s", (input, expected) => {
    expect(linkPlaceholders(input)).toBe(expected);
  });

  it("rejects an id that could not be a placeholder", () => {
    expect(() => linkPlaceholders("[a](link:Bad_Id)")).toThrow(PlaceholderError);
  });
});

describe("renderTemplate", () => {
  it("keeps every placeholder intact in html, text and subject", () => {
    const expected = [
      "{{firstName}}",
      "{{link:guide}}",
      "{{link:guide}}",
      "{{link:masterclass}}",
      "{{link:masterclass}}",
      "{{manageUrl}}",
      "{{unsubscribeUrl}}",
    ];
    expect(placeholdersIn(t.html)).toEqual(expected);
    expect(placeholdersIn(t.text)).toEqual(expected);
    expect(t.subject).toBe("Welcome, {{firstName}}");
    expect(t.html).toContain('href="{{link:guide}}"');
    expect(t.html).toContain('href="{{unsubscribeUrl}}"');
  });

  it("gives the same output as react-email's own render()", async () => {
    expect(t.html).toBe(await render(welcome()));
    // The text part is react-email's, with every link then moved onto a line of its own.
    expect(t.text).toBe(plainText(await render(welcome())));
    const own = await render(welcome(), { plainText: true, htmlToTextOptions });
    expect(own.replace(/\s+/g, " ")).toContain("Read the guide");
  });

  it("does not wrap long lines or uppercase headings in the text", () => {
    expect(t.text).toMatch(
      /at eighty columns would have to break it .* the guide again\n\{\{link:guide\}\}\nwhich/,
    );
    expect(t.text).toContain("Start here");
    expect(t.text).not.toContain("START HERE");
  });

  it("refuses output where a placeholder was encoded", async () => {
    const el = createElement("a", { href: "https://x.example/%7B%7BfirstName%7D%7D" }, "x");
    await expect(renderTemplate(el, "s")).rejects.toThrow(PlaceholderError);
  });

  it("refuses a malformed placeholder", async () => {
    await expect(renderTemplate(createElement("p", null, "{{first name}}"), "s")).rejects.toThrow(
      /malformed/,
    );
  });
});

describe("personalise", () => {
  it("fills every placeholder", () => {
    const p = personalise(t, values);
    for (const s of [p.html, p.text, p.subject]) expect(placeholdersIn(s)).toEqual([]);
    expect(p.subject).toBe("Welcome, Ana");
    expect(p.text).toContain("Hi Ana,");
    expect(p.text).toContain(`Unsubscribe\n${values.unsubscribeUrl}\n`);
    expect(p.html).toContain('href="https://test-hips.example/u?t=uns.sig&amp;x=1"');
    expect(p.html).toContain(`href="${values["link:guide"]}"`);
    expect(p.html).toContain(`href="${values["link:masterclass"]}"`);
  });

  it("leaves the template untouched for the next recipient", () => {
    personalise(t, values);
    const p = personalise(t, { ...values, firstName: "Bo" });
    expect(p.text).toContain("Hi Bo,");
    expect(t.text).toContain("Hi {{firstName}},");
  });

  it("escapes HTML in html but not in text or subject", () => {
    const firstName = `<script>alert(1)</script> "Jo" & 'Al'`;
    const p = personalise(t, { ...values, firstName });
    expect(p.html).not.toContain("<script>");
    expect(p.html).toContain(
      "Hi &lt;script&gt;alert(1)&lt;/script&gt; &quot;Jo&quot; &amp; &#x27;Al&#x27;,",
    );
    expect(p.text).toContain(`Hi ${firstName},`);
    expect(p.subject).toBe(`Welcome, ${firstName}`);
  });

  it("keeps RTL text and emoji as they are", () => {
    const p = personalise(t, { ...values, firstName: "سارا 🌸" });
    expect(p.html).toContain("Hi سارا 🌸,");
    expect(p.text).toContain("Hi سارا 🌸,");
    expect(p.subject).toBe("Welcome, سارا 🌸");
  });

  it("does not expand placeholders inside values", () => {
    const p = personalise(t, { ...values, firstName: "{{unsubscribeUrl}}" });
    expect(p.text).toContain("Hi {{unsubscribeUrl}},");
  });

  it("turns line breaks in the subject into spaces", () => {
    const p = personalise(t, { ...values, firstName: "Ana\r\nBcc: x@example.com" });
    expect(p.subject).toBe("Welcome, Ana Bcc: x@example.com");
  });

  it.each([
    ["unsubscribeUrl", "javascript:alert(1)"],
    ["unsubscribeUrl", "JavaScript:alert(1)"],
    ["manageUrl", "data:text/html,hi"],
    ["link:guide", "//evil.example/x"],
    ["link:guide", "/relative/path"],
    ["link:masterclass", 'https://x.example/"onmouseover="alert(1)'],
    ["unsubscribeUrl", "https://x.example/a b"],
    ["unsubscribeUrl", ""],
  ])("rejects %s = %s", (key, value) => {
    expect(() => personalise(t, { ...values, [key]: value })).toThrow(PlaceholderError);
  });

  it("accepts http and https URLs", () => {
    expect(() =>
      personalise(t, { ...values, unsubscribeUrl: "http://127.0.0.1:3000/u?t=a" }),
    ).not.toThrow();
  });

  it("throws on a placeholder it has no value for", () => {
    const { "link:guide": _dropped, ...rest } = values;
    expect(() => personalise(t, rest)).toThrow(/no value for placeholder \{\{link:guide\}\}/);
    const odd: RenderedTemplate = { subject: "{{nickname}}", html: "", text: "" };
    expect(() => personalise(odd, values)).toThrow(PlaceholderError);
  });

  it("is much cheaper than rendering (ratio reported, not asserted)", async () => {
    const lesson = (i: number) =>
      createElement(LessonEmail, {
        brand,
        preheader: "p",
        firstName: "{{firstName}}",
        bodyMarkdown: linkPlaceholders(`${body}\n\nLesson ${i}.`),
        unsubscribeUrl: "{{unsubscribeUrl}}",
        manageUrl: "{{manageUrl}}",
        lessonNumber: i,
        lessonCount: 6,
        title: "A lesson",
      });
    await renderTemplate(lesson(0), "warm-up");
    const renders = 20;
    let start = performance.now();
    let last = t;
    for (let i = 1; i <= renders; i++)
      last = await renderTemplate(lesson(i), "Lesson {{firstName}}");
    const renderMs = (performance.now() - start) / renders;

    const n = 5000;
    for (let i = 0; i < 500; i++) personalise(last, values);
    start = performance.now();
    for (let i = 0; i < n; i++) personalise(last, { ...values, firstName: `Reader ${i}` });
    const personaliseMs = (performance.now() - start) / n;
    console.log(
      `render (html + text) ${renderMs.toFixed(2)} ms, personalise ${(personaliseMs * 1000).toFixed(1)} µs: ratio ${Math.round(renderMs / personaliseMs)}x`,
    );
    expect(personalise(last, values).text).toContain("Lesson 20.");
  });
});

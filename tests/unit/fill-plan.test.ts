import { describe, expect, it } from "vitest";
import {
  fillPlan,
  PlaceholderError,
  personalise,
  planFill,
  type RenderedTemplate,
} from "../../functions/mail/personalise";

/** A template shaped like a compiled email: a name in all three parts, links in html and text. */
const T: RenderedTemplate = {
  subject: "Lesson 1 for {{firstName}}",
  html:
    '<p>Hi {{firstName}},</p><a href="{{link:guide}}">Guide</a> <a href="{{unsubscribeUrl}}">Unsubscribe</a>' +
    "<p>{{firstName}} again</p>",
  text: "Hi {{firstName}},\nGuide\n{{link:guide}}\nUnsubscribe\n{{unsubscribeUrl}}\n",
};

const SITE = "https://hips.example/a&b";
const PATHS: Record<string, string> = { unsubscribeUrl: "/u?t=", "link:guide": "/c/guide/" };
const tokenLink = (key: string) => (PATHS[key] === undefined ? undefined : `${SITE}${PATHS[key]}`);
const TOKEN = "eyJ2IjoyfQ.Z5JLCC91wMPKX4CSu2Lv9hyiI1hloWdtaodB-mbT3Ms";
const valuesFor = (firstName: string) => ({
  firstName,
  unsubscribeUrl: `${SITE}/u?t=${TOKEN}`,
  "link:guide": `${SITE}/c/guide/${TOKEN}`,
});

describe("planFill + fillPlan", () => {
  it.each([
    "Ana",
    `<script>alert(1)</script> "Jo" & 'Al'`,
    "Line\r\nBreak\u0007",
    "سارا 🌸",
    "{{unsubscribeUrl}}",
  ])("give the same bytes as personalise for %j", (firstName) => {
    const plan = planFill(T, tokenLink);
    expect(fillPlan(plan, TOKEN, { firstName })).toEqual(personalise(T, valuesFor(firstName)));
  });

  it("encode the site once: an & in it is an entity in html, itself in text", () => {
    const out = fillPlan(planFill(T, tokenLink), TOKEN, { firstName: "Ana" });
    expect(out.html).toContain(`href="https://hips.example/a&amp;b/u?t=${TOKEN}"`);
    expect(out.text).toContain(`https://hips.example/a&b/u?t=${TOKEN}\n`);
  });

  it("refuse a link that is not an http(s) URL when planning, not per recipient", () => {
    expect(() =>
      planFill(T, (k) => (k === "unsubscribeUrl" ? "javascript:alert(1)//" : undefined)),
    ).toThrow(PlaceholderError);
  });

  it("refuse a token that would need encoding", () => {
    const plan = planFill(T, tokenLink);
    for (const bad of ['a"b', "a<b", "a b", "", "a&b"]) {
      expect(() => fillPlan(plan, bad, { firstName: "Ana" })).toThrow(/base64url/);
    }
  });

  it("refuse a named placeholder with no value, and a named URL that is not http(s)", () => {
    expect(() => fillPlan(planFill(T, tokenLink), TOKEN, {})).toThrow(/no value for placeholder/);
    const plan = planFill(T, (k) => (k === "link:guide" ? `${SITE}/c/guide/` : undefined));
    expect(() =>
      fillPlan(plan, TOKEN, { firstName: "Ana", unsubscribeUrl: "javascript:alert(1)" }),
    ).toThrow(/must be an http\(s\) URL/);
  });

  it("leave the plan as it was for the next recipient", () => {
    const plan = planFill(T, tokenLink);
    fillPlan(plan, TOKEN, { firstName: "Ana" });
    expect(fillPlan(plan, TOKEN, { firstName: "Bo" }).text).toContain("Hi Bo,");
  });
});

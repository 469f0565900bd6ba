import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "@react-email/render";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import type { BrandProps } from "../../emails/_components/types";
import ConfirmEmail, { type ConfirmEmailProps } from "../../emails/confirm";
import LessonEmail, { type LessonEmailProps } from "../../emails/lesson";
import { colors, textOn } from "../../emails/theme";
import WelcomeEmail, { type WelcomeEmailProps } from "../../emails/welcome";
import { DATA_LINKS_EMAIL } from "../../functions/mail/compiled";
import { renderTemplate } from "../../functions/mail/render";
import { ensureCourse } from "../../infra/build/course";
import { writePreviews } from "../../ops/email-preview";

const brand: BrandProps = {
  name: "Test Hips",
  teacher: "Teacher Tess",
  accentColor: "#2f6f5e",
  postalAddress: "7 Test Street, Testville TE5 7ST",
  siteUrl: "https://test-hips.example/",
};

const urls = {
  confirm: "https://test-hips.example/confirm?t=c0nf&x=1",
  unsubscribe: "https://test-hips.example/u?t=uns&x=2",
  manage: "https://test-hips.example/manage?t=man",
  masterclass: "https://test-hips.example/c/abc",
};

const confirmProps: ConfirmEmailProps = {
  brand,
  preheader: "Confirm preheader",
  firstName: "Ana",
  bodyMarkdown: "Please confirm your address.",
  button: { label: "Confirm my email", href: urls.confirm },
};

const welcomeProps: WelcomeEmailProps = {
  brand,
  preheader: "Welcome preheader",
  firstName: "Ana",
  bodyMarkdown: "# Your masterclass\n\nThe class is ready.\n\n- one\n- two",
  button: { label: "Watch the masterclass", href: urls.masterclass },
  unsubscribeUrl: urls.unsubscribe,
  manageUrl: urls.manage,
};

const lessonProps: LessonEmailProps = {
  ...welcomeProps,
  preheader: "Lesson preheader",
  bodyMarkdown: "## Try it today\n\nStand by a chair.",
  button: undefined,
  lessonNumber: 2,
  lessonCount: 6,
  title: "The standing stretch",
};

const templates = [
  { name: "confirm", el: createElement(ConfirmEmail, confirmProps), marketing: false },
  { name: "welcome", el: createElement(WelcomeEmail, welcomeProps), marketing: true },
  { name: "lesson", el: createElement(LessonEmail, lessonProps), marketing: true },
] as const;

/** The decoded href of the first <a> whose text is `label`. */
function hrefOf(html: string, label: string): string | undefined {
  for (const m of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)) {
    const text = (m[2] as string)
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<[^>]*>/g, "")
      .trim();
    if (text === label) return (m[1] as string).replaceAll("&amp;", "&");
  }
  return undefined;
}

describe.each(templates)("$name email", ({ el, marketing }) => {
  it("renders HTML and plain text", async () => {
    const html = await render(el);
    const text = await render(el, { plainText: true });
    expect(html).toMatch(/^<!DOCTYPE html/);
    expect(html).toContain("Hi Ana,");
    expect(text).toContain("Hi Ana,");
    expect(text).not.toContain("<");
  });

  it("reads greeting, body, sign-off, footer in that order", async () => {
    const { text } = await renderTemplate(el, "s");
    const order = ["Hi Ana,", "Warmly,\nTeacher Tess", "7 Test Street"].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("has the postal address and the brand in the footer", async () => {
    const html = await render(el);
    expect(html).toContain(brand.postalAddress);
    expect(html).toContain(brand.name);
    expect(html).toContain(brand.accentColor);
  });

  it("loads nothing from outside", async () => {
    const html = await render(el);
    expect(html).not.toMatch(/<img\b|<link\b|<script\b|@import|url\(|\bsrc=/i);
  });

  if (marketing) {
    it("has an unsubscribe link to exactly the given URL, and a manage link", async () => {
      const html = await render(el);
      expect(hrefOf(html, "Unsubscribe")).toBe(urls.unsubscribe);
      expect(hrefOf(html, "Manage your data")).toBe(urls.manage);
      const text = await render(el, { plainText: true });
      expect(text).toContain(`Unsubscribe ${urls.unsubscribe}`);
    });
  }
});

describe("confirm email", () => {
  it("is transactional: no unsubscribe link, says why it came", async () => {
    const { html, text } = await renderTemplate(templates[0].el, "Confirm");
    expect(html.toLowerCase()).not.toContain("unsubscribe");
    expect(text.toLowerCase()).not.toContain("unsubscribe");
    expect(text).toMatch(/someone entered this address/);
    expect(text).toMatch(/won't hear from us/);
  });

  it("has the confirm button pointing at the confirm URL", async () => {
    const html = await render(templates[0].el);
    expect(hrefOf(html, "Confirm my email")).toBe(urls.confirm);
  });
});

describe("lesson email", () => {
  it("shows 'Lesson 2 of 6' and the title, headings not uppercased in text", async () => {
    const { text } = await renderTemplate(templates[2].el, "s");
    expect(text).toContain("Lesson 2 of 6");
    expect(text).toContain("The standing stretch");
    expect(text).toContain("Try it today");
    expect(text).not.toContain("THE STANDING STRETCH");
    expect(text).not.toContain("TRY IT TODAY");
  });

  it("leaves out the button when there is none", async () => {
    const html = await render(templates[2].el);
    expect(hrefOf(html, "Watch the masterclass")).toBeUndefined();
  });
});

describe("welcome email", () => {
  it("renders markdown with inline styles, the h1 not uppercased in text", async () => {
    const { html, text } = await renderTemplate(templates[1].el, "s");
    expect(html).toMatch(/<h1 style="[^"]*font-size:26px/);
    expect(html).toMatch(/<li style="[^"]*">one<\/li>/);
    expect(text).toContain("Your masterclass");
    expect(text).not.toContain("YOUR MASTERCLASS");
    expect(hrefOf(html, "Watch the masterclass")).toBe(urls.masterclass);
  });
});

describe("the preview (npm run email)", () => {
  it("has the confirmation, the welcome and one entry per lesson, from content/ alone", async () => {
    const { course } = await ensureCourse();
    const dir = mkdtempSync(join(tmpdir(), "hh-preview-"));
    try {
      const files = writePreviews(course, dir);
      expect(files).toEqual(
        [course.confirm, course.welcome, ...course.lessons, { id: DATA_LINKS_EMAIL }].map(
          (doc, i) => `${String(i).padStart(2, "0")}-${doc.id}.tsx`,
        ),
      );
      const lesson = readFileSync(join(dir, files[2] as string), "utf8");
      expect(lesson).toContain(JSON.stringify(course.lessons[0]?.preheader));
      expect(lesson).toContain(JSON.stringify(course.funnel.postalAddress));
      // Sample values only where a subscriber's would go: her site, no invented name.
      const site = new URL(course.funnel.siteUrl).origin;
      for (const url of lesson.match(/https?:\/\/[^"\s)]+/g) ?? [])
        expect(url.startsWith(site)).toBe(true);
      expect(lesson).toContain('"firstName": "there"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("no template carries sample content of its own", () => {
    for (const file of readdirSync("emails", { recursive: true })) {
      const text = String(file).endsWith(".tsx")
        ? readFileSync(join("emails", String(file)), "utf8")
        : "";
      expect(text).not.toMatch(/PreviewProps|sample/i);
    }
  });
});

describe("textOn", () => {
  /** WCAG contrast ratio of two #rrggbb colours. */
  function contrast(a: string, b: string): number {
    const lum = (hex: string) => {
      const [r = 0, g = 0, bl = 0] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  }

  it.each(["#a0522d", "#2f6f5e", "#f5d76e", "#ffffff", "#000000", "#7fb3d5"])(
    "keeps the button label legible on %s",
    (bg) => {
      expect(contrast(bg, textOn(bg))).toBeGreaterThanOrEqual(4.5);
    },
  );

  it("theme text colours meet WCAG AA", () => {
    expect(contrast(colors.text, colors.card)).toBeGreaterThanOrEqual(7);
    expect(contrast(colors.muted, colors.canvas)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colors.accent, colors.card)).toBeGreaterThanOrEqual(4.5);
  });
});

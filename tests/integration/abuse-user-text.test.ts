import { describe, expect, it } from "vitest";
import { abuseStack } from "./abuse";
import { inbox } from "./inbox";

const env = abuseStack();
const { request, pathOf, signupJson, signupForm, subscriber, live, signUpAndConfirm, linksOf } =
  env;

describe("user text is escaped in every page and email", () => {
  const NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    `O'Brien & "Sons"`,
    "سارا 🌸",
  ];

  it("a name with text-direction controls is refused, and nothing is stored", async () => {
    for (const firstName of ["Eve\u202Egnp.exe", "\u2067Ana\u2069"]) {
      const email = "bidi@example.com";
      const res = await signupJson({ email, firstName });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/first name/);
      expect(await subscriber(email)).toBeUndefined();
    }
  });
  const ENTITIES: Record<string, string> = {
    "&": "&(?:amp|#38|#x26);",
    "<": "&(?:lt|#60|#x3c);",
    ">": "&(?:gt|#62|#x3e);",
    '"': "&(?:quot|#34|#x22);",
    "'": "&(?:apos|#39|#x27);",
  };
  /** The name as it must appear in HTML: every special character as an entity. */
  const escaped = (name: string) =>
    new RegExp(
      [...name]
        .map((ch) =>
          ENTITIES[ch] ? `(?:${ENTITIES[ch]})` : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join(""),
      "i",
    );
  function expectEscaped(html: string, name: string, where: string) {
    expect(html, where).not.toMatch(/<script>alert|<img src=x/i);
    if (/[<>&"']/.test(name)) expect(html, where).not.toContain(name);
    expect(html, where).toMatch(escaped(name));
  }

  it("in the welcome and lesson emails and on the manage page; none in the confirmation or where the confirm press lands", async () => {
    const pages: { name: string; email: string; confirmed: string; manage: string }[] = [];
    for (const [i, name] of NAMES.entries()) {
      const email = `esc${i}@example.com`;
      const { confirmedPage, welcome } = await signUpAndConfirm(email, name);
      const manage = await request(pathOf(linksOf(welcome).manage));
      expect(manage.status).toBe(200);
      pages.push({ name, email, confirmed: confirmedPage, manage: await manage.text() });
    }
    await live(1.25);
    for (const { name, email, confirmed, manage } of pages) {
      // The masterclass the confirm press lands on greets nobody by name.
      expect(confirmed, `confirmed page for ${email}`).toContain("Your email is confirmed");
      expect(confirmed, `confirmed page for ${email}`).not.toContain(name);
      expect(confirmed, `confirmed page for ${email}`).not.toMatch(escaped(name));
      expectEscaped(manage, name, `manage page for ${email}`);
      const mail = await inbox(env.stack.inboxUrl, email);
      expect(mail.length, email).toBeGreaterThanOrEqual(3);
      const [confirmation, ...marketing] = mail;
      // Before they confirm, none of their text is in our mail.
      expect(`${confirmation?.body.html}${confirmation?.body.text}`).not.toContain(name);
      for (const m of marketing) {
        expectEscaped(m.body.html, name, `${m.subject} to ${email}`);
        expect(m.body.text, `${m.subject} to ${email}`).toContain(name);
        expect(m.subject).not.toMatch(/[\r\n]/);
        for (const h of m.headers ?? []) expect(h.value).not.toMatch(/[\r\n]/);
      }
    }
  });

  it("when a refused form post echoes what was typed", async () => {
    for (const name of NAMES) {
      const res = await signupForm({ email: `"><script>alert(2)</script>`, firstName: name });
      expect(res.status).toBe(400);
      const html = await res.text();
      expectEscaped(html, name, `landing page echoing ${name}`);
      expect(html).not.toContain("<script>alert(2)");
    }
  });
});

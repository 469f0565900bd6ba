import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { friendlyIssues } from "../../functions/http/signup-messages";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ clock: new ManualClock(), logger: silentLogger });
});
afterAll(async () => {
  await stack?.stop();
});

const json = (body: unknown) =>
  fetch(`${stack.siteUrl}/api/subscribe`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
const form = (fields: Record<string, string>) =>
  fetch(`${stack.siteUrl}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });

const CASES: [string, Record<string, string>, RegExp][] = [
  ["an empty address", { email: "" }, /^Please enter your email address, so I know where/],
  ["a broken address", { email: "maya@example" }, /^That email address doesn’t look quite right\./],
  ["an address with spaces inside", { email: "ma ya@example.com" }, /doesn’t look quite right/],
  [
    "a first name that is too long",
    { email: "maya@example.com", firstName: "M".repeat(81) },
    /^Please shorten your first name to 80 characters or fewer\.$/,
  ],
];

describe("the signup form's messages", () => {
  it.each(CASES)(
    "%s gets the same whole sentence with and without script",
    async (_case, fields, sentence) => {
      const api = await json(fields);
      expect(api.status).toBe(400);
      const { error } = (await api.json()) as { error: string };
      expect(error).toMatch(sentence);
      expect(error).toMatch(/[.?!]$/);
      expect(error).not.toMatch(/firstName|email is|invalid input|Please check your details:/);

      // Without script: the landing page again, at its own address, with the same sentence.
      const page = await form(fields);
      expect(page.status).toBe(400);
      expect(page.headers.get("location")).toBeNull();
      const html = await page.text();
      expect(html).toContain(`<h1 id="hero-title">`);
      const shown = /<p id="signup-status"[^>]*>([^<]*)<\/p>/.exec(html)?.[1];
      expect(shown).toBe(error);
      expect(html).toMatch(/<form method="post" action="\/"/);
    },
  );

  it("refills what the visitor typed after a refusal (escaped)", async () => {
    const html = await (await form({ email: `x"><b>@example`, firstName: "Maya" })).text();
    expect(html).toContain('value="x&quot;&gt;&lt;b&gt;@example"');
    expect(html).toContain('value="Maya"');
  });

  it("a good post without script goes on to the thanks page", async () => {
    const res = await form({ email: "maya@example.com", firstName: "Maya" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/thanks");
  });

  it("says one sentence per field, email first", () => {
    const issues = friendlyIssues(
      [
        { path: ["firstName"], message: "firstName is longer than 80 characters" },
        { path: ["email"], message: "email is not a valid address" },
        { path: ["email"], message: "email is required" },
      ],
      { email: "a@b" },
    );
    expect(issues.map((i) => i.path)).toEqual(["email", "firstName"]);
  });
});

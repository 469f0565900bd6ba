import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContentError } from "../../functions/core/errors";
import { silentLogger } from "../../functions/core/ports";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { watchDir } from "../../infra/local/watch";

const dir = mkdtempSync(join(tmpdir(), "hh-content-"));
let stack: LocalStack;

beforeAll(async () => {
  cpSync("content", dir, { recursive: true });
  stack = await startLocalStack({
    contentDir: dir,
    clock: new ManualClock(),
    logger: silentLogger,
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const landing = async () => (await fetch(`${stack.siteUrl}/`)).text();
const edit = (file: string, from: string, to: string) => {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
};

describe("content reload in npm start", () => {
  it("serves an edit from the next request, without a restart", async () => {
    edit("funnel.yaml", "headline: Is it really your back?", "headline: Reloaded headline.");
    await stack.reload();
    expect(await landing()).toContain("Reloaded headline.");
    expect(stack.course.funnel.landing.headline).toMatch(/^Reloaded headline\./);
  });

  it("refuses bad content with its file and field, and keeps serving the last good version", async () => {
    edit("funnel.yaml", 'accentColor: "#9A4A2E"', 'accentColor: "brown"');
    const error = await stack.reload().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContentError);
    expect((error as Error).message).toMatch(/^funnel\.yaml: brand\.accentColor/);
    expect(await landing()).toContain("Reloaded headline.");
    edit("funnel.yaml", 'accentColor: "brown"', 'accentColor: "#9A4A2E"');
  });

  it("a lesson edit reaches the emails composed afterwards", async () => {
    edit("lessons/01-hips-and-your-back.md", 'subject: "Lesson 1:', 'subject: "Lesson 1 (edited):');
    await stack.reload();
    const first = stack.deps.course.lessons[0];
    expect(first?.subject).toMatch(/^Lesson 1 \(edited\):/);
    const sub = { sid: "s1", email: "a@example.com", firstName: "Ana", generation: 0 };
    const { subject } = stack.deps.composer.email(sub as never, first?.id as string, Date.now());
    expect(subject).toMatch(/^Lesson 1 \(edited\):/);
  });
});

describe("watchDir", () => {
  it("reports a burst of saves once, with every file that changed", async () => {
    const calls: string[][] = [];
    const stop = watchDir(
      dir,
      (files) => {
        calls.push(files);
      },
      { debounceMs: 150 },
    );
    try {
      await new Promise((r) => setTimeout(r, 50));
      for (const f of ["privacy.md", "emails/welcome.md", "privacy.md"]) {
        writeFileSync(join(dir, f), readFileSync(join(dir, f)));
      }
      writeFileSync(join(dir, ".funnel.yaml.swp"), "editor noise");
      const until = Date.now() + 3000;
      while (calls.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 400));
      expect(calls).toEqual([["emails/welcome.md", "privacy.md"]]);
    } finally {
      stop();
    }
  });
});

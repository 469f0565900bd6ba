import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCourse } from "../../functions/core/content";
import { silentLogger } from "../../functions/core/ports";
import { DAY_MS } from "../../functions/core/schedule";
import { sequenceDiff } from "../../functions/funnel/sequence-diff";
import { confirm, sidFor, subscribe } from "../../functions/funnel/subscriptions";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { openTarget, targetOptions } from "../../ops/lib/target";

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "funnel-diff-"));
const dataDir = join(root, "data");
const edited = join(root, "content");
cpSync("content", edited, { recursive: true });
const lessons = join(edited, "lessons");
// The edit: a lesson inserted after lesson 1, lesson 4 removed, lesson 5 moved last, lesson 6 re-timed.
writeFileSync(
  join(lessons, "01-zz-inserted.md"),
  `---\nid: inserted\nsubject: "New"\npreheader: New.\ndelayDays: 1\n---\n\nA new lesson.\n`,
);
rmSync(join(lessons, "04-glute-bridge.md"));
renameSync(
  join(lessons, "05-seated-mobility-test.md"),
  join(lessons, "07-seated-mobility-test.md"),
);
const six = join(lessons, "06-gentle-consistent-practice.md");
writeFileSync(six, readFileSync(six, "utf8").replace(/^delayDays: .*$/m, "delayDays: 1"));

const clock = new ManualClock(Date.now());
let stack: LocalStack | undefined;
const emails = ["a@example.com", "b@example.com", "c@example.com"];

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger, dataDir });
  for (const email of emails) {
    await subscribe(stack.deps, {
      email,
      firstName: "",
      timeZone: "UTC",
      consent: { form: "test", textVersion: "1" },
    });
    await confirm(stack.deps, sidFor(stack.deps, email));
  }
  await stack.drain();
  // All three receive lesson 1.
  clock.advance(1.1 * DAY_MS);
  await stack.tick();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("sequence diff", () => {
  it("with npm start running: the changes, and who receives what next, in counts", async () => {
    const target = await openTarget(targetOptions({ "data-dir": dataDir }));
    try {
      expect(target.description).toContain("running npm start");
      const course = loadCourse(edited);
      const diff = await sequenceDiff({ store: target.store, course, dayMs: DAY_MS }, clock.now());
      expect(diff.draft.alreadyPublished).toBe(false);
      expect(diff.changes).toEqual({
        added: [{ id: "inserted", position: 3 }],
        removed: ["glute-bridge"],
        moved: [{ id: "seated-mobility-test", from: 6, to: 7 }],
        delays: [{ id: "gentle-consistent-practice", before: 3, after: 1 }],
      });
      expect(diff.subscribers).toEqual({ active: 3, completed: 0 });
      // Everyone had lesson 1 last: the inserted lesson is next for all three, a day after it.
      expect(diff.next).toHaveLength(1);
      expect(diff.next[0]).toMatchObject({ id: "inserted", subscribers: 3, changed: 3 });
      // Nothing was published or changed by looking.
      const again = await sequenceDiff({ store: target.store, course, dayMs: DAY_MS }, clock.now());
      expect(again.draft.alreadyPublished).toBe(false);
      const sub = await target.store.get(sidFor(stack?.deps as never, "a@example.com"));
      expect(sub?.nextId).toBe("bowl-of-water");
    } finally {
      await target.close();
    }
  });

  it("--aws reads the named table through the AWS SDK's own configuration (here pointed at the emulator)", async () => {
    const { stdout } = await run(
      "node_modules/.bin/tsx",
      ["ops/sequence-diff.ts", "--aws", "--table", "healthy-hips", "--content", edited],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_DYNAMODB: stack?.dynamoEndpoint,
          AWS_ACCESS_KEY_ID: "x",
          AWS_SECRET_ACCESS_KEY: "x",
          AWS_REGION: "us-east-1",
        },
      },
    );
    expect(stdout).toContain("table healthy-hips on AWS (us-east-1)");
    expect(stdout).toContain("- removed  glute-bridge");
    expect(stdout).toMatch(/inserted\s+3 /);
  }, 60_000);

  it("the command, on the data directory after npm start stopped: text with counts, never addresses", async () => {
    await stack?.stop();
    stack = undefined;
    const { stdout } = await run(
      "node_modules/.bin/tsx",
      ["ops/sequence-diff.ts", "--data-dir", dataDir, "--content", edited],
      { env: { ...process.env, NODE_NO_WARNINGS: "1" } },
    );
    expect(stdout).toContain(`local data in ${dataDir}`);
    expect(stdout).not.toContain("running npm start");
    expect(stdout).toContain("+ added    inserted (at position 3)");
    expect(stdout).toContain("- removed  glute-bridge");
    expect(stdout).toContain("~ moved    seated-mobility-test (position 6 -> 7)");
    expect(stdout).toContain("~ delay    gentle-consistent-practice: 3 -> 1");
    expect(stdout).toMatch(/inserted\s+3 {2}\d{4}-\d{2}-\d{2}/);
    expect(stdout).not.toMatch(/@example\.com/);

    const same = await run(
      "node_modules/.bin/tsx",
      ["ops/sequence-diff.ts", "--data-dir", dataDir],
      {
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
      },
    );
    expect(same.stdout).toContain("No changes to the sequence.");
    expect(same.stdout).toMatch(/bowl-of-water\s+3 /);
  }, 60_000);

  it("refuses --aws without a table name, before touching anything", async () => {
    const out = await run("node_modules/.bin/tsx", ["ops/sequence-diff.ts", "--aws"], {
      env: { ...process.env, HH_TABLE_NAME: "" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((out as { code: number }).code).toBe(2);
    expect((out as { stderr: string }).stderr).toContain("--table");
  });
});

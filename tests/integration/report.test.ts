import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import type { Report } from "../../functions/funnel/report";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { header, inbox, linkIn, trackedLinks } from "./inbox";
import { ripeStamp } from "./stamp";

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "funnel-report-"));
const clock = new ManualClock();
let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger, dataDir });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run report` as a person runs it, beside (or after) the running stack. */
async function report(...args: string[]) {
  const out = await run(
    "node_modules/.bin/tsx",
    ["ops/report.ts", "--data-dir", dataDir, ...args],
    { env: { ...process.env, DATA_DIR: "" } },
  );
  return out.stdout;
}

async function signUp(email: string) {
  const s = stack as LocalStack;
  const res = await fetch(`${s.siteUrl}/api/subscribe`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, firstName: "", stamp: ripeStamp(s.deps) }),
  });
  expect(res.status).toBe(202);
  await s.drain();
}

async function confirmFromInbox(email: string) {
  const s = stack as LocalStack;
  const [confirmation] = await inbox(s.inboxUrl, email);
  const url = linkIn(confirmation?.body.html ?? "", `${s.siteUrl}/confirm?t=`);
  expect((await fetch(url, { method: "POST" })).status).toBe(200);
  await s.drain();
  const mail = await inbox(s.inboxUrl, email);
  expect(mail).toHaveLength(2);
  return mail[1];
}

describe("npm run report", () => {
  it("shows exactly what happened: 3 signups, 2 confirmations, 1 person's click, 1 scanner, 1 unsubscribe", async () => {
    const s = stack as LocalStack;
    for (const e of ["ana@example.com", "ben@example.com", "cy@example.com"]) await signUp(e);
    const anaWelcome = await confirmFromInbox("ana@example.com");
    const benWelcome = await confirmFromInbox("ben@example.com");

    clock.advance(60_000);
    // Ana clicks (twice: still one person); a scanner sends HEAD to Ben's link.
    const anaLink = trackedLinks(anaWelcome?.body.html ?? "", s.siteUrl).masterclass as string;
    expect((await fetch(anaLink, { redirect: "manual" })).status).toBe(302);
    expect((await fetch(anaLink, { redirect: "manual" })).status).toBe(302);
    const benLink = trackedLinks(benWelcome?.body.html ?? "", s.siteUrl).masterclass as string;
    expect((await fetch(benLink, { method: "HEAD", redirect: "manual" })).status).toBe(302);
    // Ben unsubscribes with one click from his mail client (the List-Unsubscribe header).
    const unsubscribeUrl = header(benWelcome as never, "List-Unsubscribe")?.slice(1, -1) ?? "";
    const res = await fetch(unsubscribeUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(200);

    const json = JSON.parse(await report("--json")) as Report;
    expect(json.funnel).toEqual({ signups: 3, confirmed: 2, clicked: 1, watched: 0, completed: 0 });
    expect(json.subscribers).toEqual({
      pending: 1,
      active: 1,
      completed: 0,
      unsubscribed: 1,
      bounced: 0,
      complained: 0,
      paused: 0,
    });
    expect(json.emails.map((e) => e.id)).toEqual(["welcome", ...s.course.lessons.map((l) => l.id)]);
    expect(json.emails[0]).toMatchObject({
      id: "welcome",
      sent: 2,
      humanClicks: 2,
      scannerClicks: 1,
      clickers: 1,
      unsubscribes: 1,
      clickRate: 0.5,
    });
    for (const e of json.emails.slice(1)) {
      expect([e.sent, e.humanClicks, e.scannerClicks, e.unsubscribes]).toEqual([0, 0, 0, 0]);
    }
    // Ana's first lesson is due (the test clock is behind the report's real clock); Ben left.
    expect(json.dueNext24h).toBe(1);
    const text = await report();
    expect(text).toContain("running npm start");
    expect(text).toMatch(/signups\s+3\n/);
    expect(text).not.toMatch(/@example\.com/);
    // One row per email under its whole id, every row as wide as the header: columns line up.
    const table =
      text
        .slice(text.indexOf("\nEmails ") + 1)
        .split("\n\n")[0]
        ?.split("\n") ?? [];
    expect(table.slice(1).map((row) => row.trim().split(/\s+/)[0])).toEqual(
      json.emails.map((e) => e.id),
    );
    for (const row of table) expect(row.length, row).toBe(table[0]?.length);
    const sentEnds = (table[0]?.indexOf(" sent ") ?? 0) + " sent".length;
    for (const row of table.slice(1)) expect(row.match(/^\s+\S+\s+\d+/)?.[0].length).toBe(sentEnds);
  }, 120_000); // runs the real command twice; each starts a Node process

  it("reads the same data once npm start has stopped", async () => {
    await stack?.stop();
    stack = undefined;
    const json = JSON.parse(await report("--json")) as Report;
    expect(json.funnel).toMatchObject({ signups: 3, confirmed: 2, clicked: 1 });
  }, 60_000);
});

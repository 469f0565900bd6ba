import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { applyImport, planImport } from "../../functions/funnel/import";
import { buildReport } from "../../functions/funnel/report";
import { sidFor } from "../../functions/funnel/subscriptions";
import { ImportResultPage } from "../../functions/http/admin/pages";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn } from "./inbox";

let stack: LocalStack;
const clock = new ManualClock();
const OWNER = "clara@yogaforhealthyhips.com";

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger, maxSendRate: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

const origin = () => ({ origin: stack.siteUrl });
async function signIn(): Promise<string> {
  await fetch(`${stack.siteUrl}/admin/login`, {
    method: "POST",
    headers: { ...origin(), "content-type": "application/x-www-form-urlencoded" },
    body: `email=${OWNER}`,
  });
  await stack.drain();
  const mail = await inbox(stack.inboxUrl, OWNER);
  const t = new URL(
    linkIn(mail.at(-1)?.body.html ?? "", `${stack.siteUrl}/admin/login?t=`),
  ).searchParams.get("t");
  const res = await fetch(`${stack.siteUrl}/admin/login/complete`, {
    method: "POST",
    headers: { ...origin(), "content-type": "application/x-www-form-urlencoded" },
    body: `t=${t}`,
    redirect: "manual",
  });
  return res.headers.get("set-cookie")?.split(";")[0] ?? "";
}

async function upload(cookie: string, csv: string, fields: Record<string, string> = {}) {
  const body = new FormData();
  body.set("file", new File([csv], "list.csv", { type: "text/csv" }));
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const res = await fetch(`${stack.siteUrl}/admin/import`, {
    method: "POST",
    headers: { ...origin(), cookie },
    body,
  });
  return { status: res.status, text: await res.text() };
}

const states = async () => (await buildReport(stack.deps, clock.now())).subscribers;

describe("CSV import and export", () => {
  let cookie = "";
  beforeAll(async () => {
    cookie = await signIn();
  });

  it("reports every bad row by line and imports nothing", async () => {
    const before = await states();
    const csv = [
      "email,firstName,consentAt,consentSource",
      "ok1@example.com,Ok,,",
      "not-an-address,Bad,,",
      "ok2@example.com,Ok,2099-01-01T00:00:00Z,webinar",
      "OK1@example.com,Again,,",
    ].join("\n");
    const res = await upload(cookie, csv);
    expect(res.status).toBe(400);
    expect(res.text).toContain("Nothing was imported");
    expect(res.text).toContain("Line 3: email: not a valid address");
    expect(res.text).toContain("Line 4: consentAt");
    expect(res.text).toContain("Line 5: email: the same address as line 2");
    expect(await states()).toEqual(before);
    expect(await stack.deps.store.get(sidFor(stack.deps, "ok1@example.com"))).toBeUndefined();

    // Active needs consent evidence on every row.
    const active = await upload(cookie, "email\nok3@example.com\n", {
      mode: "active",
      at: stack.course.lessons[1]?.id ?? "",
    });
    expect(active.status).toBe(400);
    expect(active.text).toContain("Line 2: importing as active needs consentAt and consentSource");
  });

  it("by default each new address gets a confirmation; the same file again changes nothing", async () => {
    const csv =
      "email,firstName,timeZone\nimp1@example.com,Ivy,Europe/Paris\nimp2@example.com,,Nowhere/Zone\n";
    const first = await upload(cookie, csv);
    expect(first.status).toBe(200);
    expect(first.text).toContain("2 new, 0 already");
    await stack.drain();
    for (const e of ["imp1@example.com", "imp2@example.com"]) {
      const mail = await inbox(stack.inboxUrl, e);
      expect(mail.map((m) => m.subject)).toEqual([stack.course.confirm.subject]);
      expect((await stack.deps.store.get(sidFor(stack.deps, e)))?.status).toBe("pending");
    }
    const sub = await stack.deps.store.get(sidFor(stack.deps, "imp2@example.com"));
    expect(sub?.timeZone).toBe(stack.course.funnel.sequence.timeZone);
    const again = await upload(cookie, csv);
    expect(again.text).toContain("0 new, 2 already");
    await stack.drain();
    expect(await inbox(stack.inboxUrl, "imp1@example.com")).toHaveLength(1);
    expect((await states()).pending).toBe(2);
  });

  it("a long list goes in over several uploads: each stops in time, the next carries on, a failed row is retried; everyone gets one confirmation", async () => {
    const emails = Array.from({ length: 60 }, (_, i) => `long${i}@example.com`);
    const plan = planImport(
      `email\n${emails.join("\n")}\n`,
      {},
      {
        emailIds: stack.deps.sequences.current.order.map((e) => e.id),
        defaultZone: "UTC",
        now: clock.now(),
      },
    );
    if (!plan.ok) throw new Error("the plan should be fine");
    // One row's write fails (a throttled request) on the first upload only.
    const unlucky = sidFor(stack.deps, "long3@example.com");
    let failOnce = true;
    const store = new Proxy(stack.deps.store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== "create") return typeof value === "function" ? value.bind(target) : value;
        return async (item: { sid: string }) => {
          if (failOnce && item.sid === unlucky) {
            failOnce = false;
            throw Object.assign(new Error("throttled"), {
              name: "ProvisionedThroughputExceededException",
            });
          }
          return target.create(item as never);
        };
      },
    });
    // Time for one round of rows only.
    let rounds = 0;
    const oneRound = () => (rounds++ === 0 ? 1 : 0);
    const first = await applyImport({ ...stack.deps, store }, plan.rows, {}, oneRound);
    expect(first).toEqual({ created: 24, unchanged: 0, failed: 1, left: 35 });
    const second = await applyImport(stack.deps, plan.rows, {});
    expect(second).toEqual({ created: 36, unchanged: 24, failed: 0, left: 0 });
    await stack.drain();
    for (const e of emails) {
      const mail = await inbox(stack.inboxUrl, e);
      expect(
        mail.map((m) => m.subject),
        e,
      ).toEqual([stack.course.confirm.subject]);
    }
    // The page says how to go on.
    const page = ImportResultPage({ brand: "b", result: first }).toString();
    expect(page).toContain("Partly imported");
    expect(page).toContain("35 rows were not reached in time");
    expect(page).toContain("1 row was not saved just now");
    expect(page).toContain("Upload the same file again");
  });

  it("rows with consent evidence may join as active at a chosen lesson", async () => {
    const lesson = stack.course.lessons[2];
    const csv =
      "email,firstName,consentAt,consentSource\nact@example.com,Ada,2025-05-01T10:00:00Z,yoga studio sign-up sheet\n";
    const res = await upload(cookie, csv, { mode: "active", at: lesson?.id ?? "" });
    expect(res.status).toBe(200);
    await stack.tick();
    const mail = await inbox(stack.inboxUrl, "act@example.com");
    expect(mail.map((m) => m.subject)).toEqual([lesson?.subject]);
    const sub = await stack.deps.store.get(sidFor(stack.deps, "act@example.com"));
    expect(sub?.status).toBe("active");
    expect(sub?.consent).toMatchObject({
      at: "2025-05-01T10:00:00.000Z",
      form: "import: yoga studio sign-up sheet",
    });
  });

  it("exports everyone with status, dates and consent; cells cannot run as formulas", async () => {
    const imported = await upload(
      cookie,
      'email,firstName\nformula@example.com,"=HYPERLINK(""x"")"\n',
    );
    expect(imported.status).toBe(200);
    const res = await fetch(`${stack.siteUrl}/admin/subscribers.csv`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const byEmail = new Map(rows.map((r) => [r.email, r]));
    expect(byEmail.get("act@example.com")).toMatchObject({
      status: "active",
      consentAt: "2025-05-01T10:00:00.000Z",
    });
    expect(byEmail.get("imp1@example.com")).toMatchObject({ status: "pending", firstName: "Ivy" });
    expect(byEmail.get("formula@example.com")?.firstName).toBe('\'=HYPERLINK("x")');
    // Without a session: no list.
    expect(
      (await fetch(`${stack.siteUrl}/admin/subscribers.csv`, { redirect: "manual" })).status,
    ).toBe(303);
  });
});

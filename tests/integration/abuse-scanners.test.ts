import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../functions/core/schedule";
import { sidFor } from "../../functions/funnel/subscriptions";
import { abuseStack, expectOnlyScannerClicks, scanTable } from "./abuse";
import { header, inbox, linkIn, type StoredEmail } from "./inbox";

const env = abuseStack();
const { allHrefs, clock, request, pathOf, signupJson, subscriber } = env;

describe("mail scanners change nothing", () => {
  const SCANNER_UAS = [
    "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
    "Barracuda Sentinel (EE)",
    "Mimecast-URL-Protect/1.0",
  ];
  const BROWSER_UA =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

  /** Local links of an email: every href plus the List-Unsubscribe URL. */
  const localLinks = (mail: StoredEmail) => {
    const unsub = header(mail, "List-Unsubscribe")?.slice(1, -1);
    return [...allHrefs(mail), ...(unsub ? [unsub] : [])].filter((h) =>
      h.startsWith(`${env.stack.siteUrl}/`),
    );
  };

  /** One request as a scanner makes it (no cookies), following redirects by hand. */
  async function visit(url: string, method: "GET" | "HEAD", ua: string) {
    let next: string | null = url;
    for (let hops = 0; next && hops < 5; hops++) {
      const res: Response = await fetch(new URL(next, env.stack.siteUrl), {
        method,
        headers: { "user-agent": ua },
        redirect: "manual",
      });
      await res.arrayBuffer();
      expect(res.status, `${method} ${pathOf(next)}`).toBeLessThan(500);
      expect(res.headers.get("set-cookie") ?? "", `${method} ${pathOf(next)}`).not.toMatch(
        /hh_view/,
      );
      next = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    }
  }

  async function visitAll(jobs: [string, "GET" | "HEAD", string][]) {
    for (let i = 0; i < jobs.length; i += 8) {
      await Promise.all(jobs.slice(i, i + 8).map(([u, m, ua]) => visit(u, m, ua)));
    }
  }

  /** A scanner pre-fetching a fresh delivery: even a browser-like GET counts as a scanner. */
  async function scanFresh(mail: StoredEmail[]) {
    clock.advance(5_000);
    const before = await scanTable(env.stack.dynamoEndpoint);
    const jobs = mail.flatMap(localLinks).flatMap((u): [string, "GET" | "HEAD", string][] => [
      [u, "GET", BROWSER_UA],
      [u, "HEAD", BROWSER_UA],
    ]);
    await visitAll(jobs);
    expectOnlyScannerClicks(before, await scanTable(env.stack.dynamoEndpoint));
    return jobs.length;
  }

  it("following every link of every email with GET and HEAD confirms, unsubscribes and counts nobody", async () => {
    const pending = "scan.pending@example.com";
    const active = "scan.active@example.com";
    expect((await signupJson({ email: pending, firstName: "Scanpend" })).status).toBe(202);
    await scanFresh(await inbox(env.stack.inboxUrl, pending));
    expect((await signupJson({ email: active, firstName: "Scanact" })).status).toBe(202);
    const [confirmation] = await inbox(env.stack.inboxUrl, active);
    await scanFresh([confirmation as StoredEmail]);
    expect((await subscriber(active))?.status).toBe("pending");

    // The person confirms (a POST, as the confirm page does); then each delivery is scanned.
    const url = linkIn(confirmation?.body.html ?? "", `${env.stack.siteUrl}/confirm?t=`);
    expect((await request(pathOf(url), { method: "POST" })).status).toBe(303);
    await env.stack.drain();
    let seen = 1;
    let fresh = 0;
    for (let step = 0; step < 40 && seen < 5; step++) {
      const mail = await inbox(env.stack.inboxUrl, active);
      if (mail.length > seen) {
        fresh += await scanFresh(mail.slice(seen));
        seen = mail.length;
      }
      clock.advance(0.5 * DAY_MS);
      await env.stack.tick();
    }
    expect(seen).toBe(5); // confirmation, welcome, three lessons
    expect(fresh).toBeGreaterThan(20);

    // Later, every link of every email in the inbox: HEAD, and GET as known scanners.
    const all = await inbox(env.stack.inboxUrl);
    const before = await scanTable(env.stack.dynamoEndpoint);
    const jobs = all.flatMap(localLinks).flatMap((u, i): [string, "GET" | "HEAD", string][] => [
      [u, "HEAD", BROWSER_UA],
      [u, "GET", SCANNER_UAS[i % SCANNER_UAS.length] as string],
      // A plain GET long after delivery is a person (and may be counted); pages are safe.
      ...(u.includes("/c/") ? [] : [[u, "GET", BROWSER_UA] as [string, "GET", string]]),
    ]);
    // The pending address's confirmation, and the active one's confirmation, welcome and lessons.
    expect(all).toHaveLength(6);
    expect(jobs.length).toBeGreaterThan(60);
    await visitAll(jobs);
    expectOnlyScannerClicks(before, await scanTable(env.stack.dynamoEndpoint));
    expect((await subscriber(pending))?.status).toBe("pending");
    expect((await subscriber(active))?.status).toBe("active");
    const clicks = await env.stack.deps.store.clicks(sidFor(env.stack.deps, active));
    expect(clicks.length).toBeGreaterThan(0);
    expect(clicks.every((c) => c.scanner)).toBe(true);
    // Hundreds of requests: room for a busy machine.
  }, 120_000);
});

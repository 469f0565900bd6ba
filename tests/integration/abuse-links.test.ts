import { beforeAll, describe, expect, it, vi } from "vitest";
import { CLICKS_KEPT, LINK_RATE } from "../../functions/core/limits";
import { linkTarget } from "../../functions/core/links";
import { sidFor } from "../../functions/funnel/subscriptions";
import { PLAY_BEACON_PATH } from "../../functions/http/pages";
import { abuseStack, scanTable } from "./abuse";

const env = abuseStack();
const { clock, recorder, freshIp, request, pathOf, signUpAndConfirm, linksOf } = env;

const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

/** A confirmed subscriber and the path of the masterclass link in their welcome email. */
async function leakedLink(email: string) {
  const { welcome } = await signUpAndConfirm(email);
  const path = pathOf(linksOf(welcome).tracked.masterclass as string);
  // Long after delivery: a GET from a browser is a person, not a scanner pre-fetching.
  clock.advance(60_000);
  return { sid: sidFor(env.stack.deps, email), path };
}

const target = () =>
  linkTarget(env.stack.course, "masterclass", env.stack.deps.composer.linksOf("welcome"));

/** The subscriber's click items, read from the table itself. */
async function clickItems(sid: string) {
  const items = await scanTable(env.stack.dynamoEndpoint);
  return Object.entries(items)
    .filter(([k]) => k.startsWith(`SUB#${sid} CLICK`))
    .map(([, item]) => item);
}

/** A GET of `path` from `ip` by a browser; answers the status and where it leads. */
async function open(path: string, ip: string, app = env.stack.app) {
  const res = await app.request(path, {
    redirect: "manual",
    headers: { "x-forwarded-for": ip, "user-agent": BROWSER_UA },
  });
  return { status: res.status, location: res.headers.get("location") };
}

describe("a leaked link costs little however often it is opened", () => {
  it(`1,000 GETs from 1,000 clients leave one item of at most ${CLICKS_KEPT} opens for that link`, async () => {
    const { sid, path } = await leakedLink("leaked.wide@example.com");
    const answers: { status: number; location: string | null }[] = [];
    for (let i = 0; i < 1000; i += 5) {
      // Five at a time from distinct clients, so the per-client limit never steps in here.
      answers.push(...(await Promise.all(Array.from({ length: 5 }, () => open(path, freshIp())))));
      clock.advance(50);
    }
    expect(answers.every((a) => a.status === 302 && a.location === target())).toBe(true);
    const items = await clickItems(sid);
    expect(items).toHaveLength(1);
    const recent = items[0]?.recent?.L ?? [];
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThanOrEqual(CLICKS_KEPT);
    // The kept ones are the latest: none older than the last few batches.
    const kept = recent.map((e) => e.M?.at?.S as string).sort();
    expect(Date.parse(kept[0] as string)).toBeGreaterThan(clock.now() - 10 * 50);
    // The person's first click and the counters still work: one person clicked.
    const sub = await env.stack.deps.store.get(sid);
    expect(sub?.firstClickAt).toBeDefined();
    const exported = await env.stack.deps.store.clicks(sid);
    expect(exported.length).toBe(recent.length);
    expect(exported.every((c) => c.link === "masterclass" && !c.scanner)).toBe(true);
    // Thousands of requests: room for a busy machine.
  }, 300_000);

  it("an email's token follows only the links that email shows, whichever part shows them", async () => {
    const { path } = await leakedLink("links.of.welcome@example.com");
    const token = path.split("/").at(-1) as string;
    const { links } = env.stack.course.funnel;
    // The welcome's second button (the guide) is one of its links.
    expect(env.stack.deps.composer.linksOf("welcome")).toContain("guide");
    expect(await open(`/c/guide/${token}`, freshIp())).toEqual({
      status: 302,
      location: links.guide,
    });
    // A content link the welcome does not show (the last lesson's next step) is refused.
    expect(env.stack.deps.composer.linksOf("welcome")).not.toContain("classes");
    expect(links.classes).toBeDefined();
    expect((await open(`/c/classes/${token}`, freshIp())).status).toBe(400);
  });

  it("a person's single click redirects, records and counts", async () => {
    const { sid, path } = await leakedLink("one.click@example.com");
    const watch = recorder.watch();
    expect(await open(path, freshIp())).toEqual({ status: 302, location: target() });
    const changes = watch();
    expect(changes.subscriberWrites).toContain(`SUB#${sid}`);
    expect(changes.statsWrites).toBeGreaterThan(0);
    expect(await env.stack.deps.store.clicks(sid)).toEqual([
      {
        link: "masterclass",
        at: new Date(clock.now()).toISOString(),
        scanner: false,
        email: "welcome",
      },
    ]);
    expect((await env.stack.deps.store.get(sid))?.firstClickAt).toBeDefined();
  });

  it(`over ${LINK_RATE.burst} opens from one client, a click still redirects and a play still answers, but nothing is recorded`, async () => {
    const { sid, path } = await leakedLink("one.client@example.com");
    const ip = "2001:db8:aa:bb::1";
    for (let i = 0; i < LINK_RATE.burst; i++) {
      expect(await open(path, ip)).toEqual({ status: 302, location: target() });
    }
    const total = async () => Number((await clickItems(sid))[0]?.total?.N ?? 0);
    expect(await total()).toBe(LINK_RATE.burst);
    const watch = recorder.watch();
    // Another address in the same /64 is the same client.
    for (const other of [ip, "2001:db8:aa:bb:ffff::2", ip]) {
      expect(await open(path, other)).toEqual({ status: 302, location: target() });
    }
    const click = await request(path, { headers: { "x-forwarded-for": ip } });
    const cookie = click.headers.get("set-cookie")?.split(";")[0] ?? "";
    const play = await request(PLAY_BEACON_PATH, {
      method: "POST",
      headers: { "x-forwarded-for": ip, cookie },
    });
    expect(play.status).toBe(204);
    expect(watch()).toEqual({ subscriberWrites: [], statsWrites: 0, sends: 0 });
    expect(await total()).toBe(LINK_RATE.burst);
    // A second later the client may click (and be recorded) once more.
    clock.advance(LINK_RATE.intervalMs);
    expect(await open(path, ip)).toEqual({ status: 302, location: target() });
    expect(await total()).toBe(LINK_RATE.burst + 1);
  });

  describe("the limit is shared by every instance", () => {
    /** An app as another instance builds it: its own modules, so its own memory. */
    let otherApp: typeof env.stack.app;
    beforeAll(async () => {
      vi.resetModules();
      const { createApp } = await import("../../functions/http/app");
      otherApp = createApp(env.stack.deps);
    });

    it("clicks from one client alternating between two instances record one burst, not two", async () => {
      const { sid, path } = await leakedLink("two.instances@example.com");
      const ip = "198.51.100.61";
      for (let i = 0; i < 2 * LINK_RATE.burst + 2; i++) {
        const app = i % 2 ? otherApp : env.stack.app;
        expect(await open(path, ip, app)).toEqual({ status: 302, location: target() });
      }
      const total = Number((await clickItems(sid))[0]?.total?.N ?? 0);
      expect(total).toBe(LINK_RATE.burst);
    });
  });
});

import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ORIGIN_SECRET_HEADER, VIEWER_IP_HEADER } from "../../functions/aws/env";
import { silentLogger } from "../../functions/core/ports";
import { sidFor } from "../../functions/funnel/subscriptions";
import { createApp } from "../../functions/http/app";
import { type AppDeps, clientIp, type Env } from "../../functions/http/context";
import { type FrontDoor, secretIndex } from "../../functions/http/front-door";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";
import { inbox, linkIn } from "./inbox";
import { ripeStamp } from "./stamp";

/**
 * The app behind CloudFront, as the web Lambda builds it (a front door with the current and
 * previous origin secret), on the real local stack: dynalite, the SES emulator, the queue.
 * A request without the secret is refused before any route runs and changes nothing; the
 * client address is CloudFront's, only on a request that carried the secret.
 */

const CURRENT = `${"c".repeat(48)}0123456789abcdef`;
const PREVIOUS = `${"p".repeat(48)}fedcba9876543210`;

let stack: LocalStack;
let app: ReturnType<typeof createApp>;
let previousSeen = 0;
const clock = new ManualClock();
const door: FrontDoor = {
  secretHeader: ORIGIN_SECRET_HEADER,
  clientIpHeader: VIEWER_IP_HEADER,
  secrets: () => [CURRENT, PREVIOUS],
  onPrevious: () => previousSeen++,
};

beforeAll(async () => {
  stack = await startLocalStack({ clock, logger: silentLogger });
  app = createApp({ ...stack.deps, frontDoor: door });
});
afterAll(async () => {
  await stack?.stop();
});

/** A request as CloudFront forwards it (`secret`), or as a direct caller sends it (undefined). */
function request(
  method: string,
  path: string,
  secret: string | undefined,
  opts: { body?: string; type?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    [VIEWER_IP_HEADER]: "203.0.113.9",
    "user-agent": "front-door test",
    ...opts.headers,
  };
  if (secret !== undefined) headers[ORIGIN_SECRET_HEADER] = secret;
  if (opts.type) headers["content-type"] = opts.type;
  return app.request(path, { method, headers, body: opts.body });
}

const signup = (email: string, secret: string | undefined, headers?: Record<string, string>) =>
  request("POST", "/api/subscribe", secret, {
    body: JSON.stringify({ email, stamp: ripeStamp(stack.deps) }),
    type: "application/json",
    headers,
  });

const sid = (email: string) => sidFor(stack.deps as AppDeps, email);

describe("behind CloudFront", () => {
  it("a signup that came through CloudFront is taken; its address is CloudFront's viewer address", async () => {
    const res = await signup("kim@example.com", CURRENT, {
      [VIEWER_IP_HEADER]: "198.51.100.77",
      // What the client claims: never read behind the front door.
      "x-forwarded-for": "127.0.0.1",
    });
    expect(res.status).toBe(202);
    await stack.drain();
    expect((await stack.deps.store.get(sid("kim@example.com")))?.consent.ip).toBe("198.51.100.77");
    expect(await inbox(stack.inboxUrl, "kim@example.com")).toHaveLength(1);
  });

  it("a direct call (no secret) with a forged viewer address is refused: nothing stored, queued or sent", async () => {
    const res = await signup("lee@example.com", undefined, {
      [VIEWER_IP_HEADER]: "127.0.0.1",
      "x-forwarded-for": "127.0.0.1",
    });
    expect(res.status).toBe(403);
    expect(stack.queueSize()).toBe(0);
    await stack.drain();
    expect(await stack.deps.store.get(sid("lee@example.com"))).toBeUndefined();
    expect(await inbox(stack.inboxUrl, "lee@example.com")).toHaveLength(0);
  });

  it("a wrong secret is refused; the previous one (mid-rotation) is accepted and reported", async () => {
    for (const wrong of [`${CURRENT.slice(0, -1)}X`, CURRENT.slice(1), "", "c"]) {
      expect((await signup("max@example.com", wrong)).status).toBe(403);
    }
    expect(await stack.deps.store.get(sid("max@example.com"))).toBeUndefined();
    expect(previousSeen).toBe(0);
    expect((await signup("max@example.com", PREVIOUS)).status).toBe(202);
    expect(previousSeen).toBe(1);
  });

  it("links act only through CloudFront: a direct confirm or unsubscribe changes nothing", async () => {
    const [mail] = await inbox(stack.inboxUrl, "kim@example.com");
    const url = new URL(linkIn(mail?.body.html ?? "", `${stack.siteUrl}/confirm?t=`));
    const confirm = (secret: string | undefined) =>
      request("POST", `/confirm${url.search}`, secret, {
        body: "",
        type: "application/x-www-form-urlencoded",
      });
    expect((await confirm(undefined)).status).toBe(403);
    expect((await stack.deps.store.get(sid("kim@example.com")))?.status).toBe("pending");
    expect((await confirm(CURRENT)).status).toBe(303);
    expect((await stack.deps.store.get(sid("kim@example.com")))?.status).toBe("active");
    await stack.drain();

    const [, welcome] = await inbox(stack.inboxUrl, "kim@example.com");
    const unsubscribe = new URL(linkIn(welcome?.body.html ?? "", `${stack.siteUrl}/u?t=`));
    const oneClick = (secret: string | undefined) =>
      request("POST", `/u${unsubscribe.search}`, secret, {
        body: "List-Unsubscribe=One-Click",
        type: "application/x-www-form-urlencoded",
      });
    expect((await oneClick(undefined)).status).toBe(403);
    expect((await stack.deps.store.get(sid("kim@example.com")))?.status).toBe("active");
    const click = linkIn(welcome?.body.html ?? "", `${stack.siteUrl}/c/`);
    expect((await request("GET", new URL(click).pathname, undefined)).status).toBe(403);
    expect((await request("GET", "/healthz", undefined)).status).toBe(403);
    expect((await request("GET", "/healthz", CURRENT)).status).toBe(200);
  });

  it("the client address is read only on a request the guard admitted, whatever a route asks", async () => {
    // A route mounted without the guard (as a mistake would) still gets no address from a
    // forged header: the address is only ever CloudFront's, on a request that carried the secret.
    const bare = new Hono<Env>();
    bare.use(async (c, next) => {
      c.set("deps", { ...stack.deps, frontDoor: door });
      await next();
    });
    bare.get("/ip", (c) => c.text(clientIp(c) ?? "none"));
    const res = await bare.request("/ip", { headers: { [VIEWER_IP_HEADER]: "127.0.0.1" } });
    expect(await res.text()).toBe("none");
  });
});

describe("the secret check", () => {
  it("matches only the exact value, current or previous, and never an empty one", () => {
    expect(secretIndex(CURRENT, [CURRENT, PREVIOUS])).toBe(0);
    expect(secretIndex(PREVIOUS, [CURRENT, PREVIOUS])).toBe(1);
    expect(secretIndex(undefined, [CURRENT])).toBe(-1);
    expect(secretIndex(`${CURRENT}x`, [CURRENT])).toBe(-1);
    expect(secretIndex(CURRENT.toUpperCase(), [CURRENT])).toBe(-1);
    expect(secretIndex("", ["", CURRENT])).toBe(-1);
  });
});

describe("locally (npm start: no CloudFront)", () => {
  it("the app takes the socket's address; CloudFront's headers, even a secret, change nothing", async () => {
    const res = await fetch(`${stack.siteUrl}/api/subscribe`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [VIEWER_IP_HEADER]: "198.51.100.200",
        [ORIGIN_SECRET_HEADER]: CURRENT,
      },
      body: JSON.stringify({ email: "local@example.com", stamp: ripeStamp(stack.deps) }),
    });
    expect(res.status).toBe(202);
    expect((await stack.deps.store.get(sid("local@example.com")))?.consent.ip).toBe("127.0.0.1");
  });
});

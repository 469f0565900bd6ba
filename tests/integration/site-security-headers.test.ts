import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../functions/core/ports";
import { SECURITY_HEADERS } from "../../functions/http/security-headers";
import { ManualClock } from "../../infra/local/clock";
import { type LocalStack, startLocalStack } from "../../infra/local/stack";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ clock: new ManualClock(), logger: silentLogger });
});
afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, type: string, body: string) =>
  fetch(`${stack.siteUrl}${path}`, {
    method: "POST",
    headers: { "content-type": type },
    body,
    redirect: "manual",
  });

/** Every kind of answer the site gives, from both of its apps, refusals and errors included. */
const ANSWERS: [string, number, () => Promise<Response>][] = [
  ["the landing page", 200, () => fetch(`${stack.siteUrl}/`)],
  ["a signup stamp (JSON)", 200, () => fetch(`${stack.siteUrl}/api/stamp`)],
  [
    "a signup answered softly (JSON, no stamp)",
    202,
    () => post("/api/subscribe", "application/json", JSON.stringify({ email: "a@example.com" })),
  ],
  [
    "a refused signup (JSON)",
    400,
    () => post("/api/subscribe", "application/json", JSON.stringify({ email: "nope" })),
  ],
  [
    "a form signup answered with a redirect",
    303,
    () => post("/api/subscribe", "application/x-www-form-urlencoded", "email=a%40example.com"),
  ],
  [
    "a body over the limit",
    413,
    () => post("/api/subscribe", "application/json", "x".repeat(9000)),
  ],
  ["an unknown page", 404, () => fetch(`${stack.siteUrl}/no-such-page`)],
  ["a bad link (confirm without token)", 400, () => fetch(`${stack.siteUrl}/confirm`)],
  ["the owner's login page (admin app)", 200, () => fetch(`${stack.siteUrl}/admin/login`)],
];

describe("security headers on the site's answers", () => {
  it.each(ANSWERS)(
    "%s (%i) carries the policy and every hardening header",
    async (_what, status, send) => {
      const res = await send();
      expect(res.status).toBe(status);
      await res.arrayBuffer();
      expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'self'; /);
      for (const [name, value] of SECURITY_HEADERS) expect(res.headers.get(name), name).toBe(value);
      expect(res.headers.get("x-powered-by")).toBeNull();
    },
  );
});

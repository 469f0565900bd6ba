import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { describe, expect, it } from "vitest";
import { securityHeaders } from "../../functions/http/security-headers";

/** The fixed list must say what hono's own middleware would, with the same policy. */
describe("security headers", () => {
  const headersOf = async (app: Hono) => [...(await app.request("/")).headers].sort();
  const handler = (c: { header(n: string, v: string): void; text(t: string): Response }) => {
    c.header("Referrer-Policy", "unsafe-url");
    c.header("X-Powered-By", "something");
    return c.text("ok");
  };

  it.each([[[]], [["https://video.example"]]])(
    "match secureHeaders() (media %j)",
    async (media) => {
      const reference = new Hono()
        .use(
          secureHeaders({
            contentSecurityPolicy: {
              defaultSrc: ["'self'"],
              imgSrc: ["'self'", "data:"],
              mediaSrc: ["'self'", ...media],
              styleSrc: ["'self'"],
              scriptSrc: ["'self'"],
              formAction: ["'self'"],
              frameAncestors: ["'none'"],
              baseUri: ["'none'"],
            },
            crossOriginEmbedderPolicy: false,
          }),
        )
        .get("/", handler);
      const ours = new Hono().use(securityHeaders(media)).get("/", handler);
      expect(await headersOf(ours)).toEqual(await headersOf(reference));
    },
  );
});

import type { MiddlewareHandler } from "hono";

/**
 * The hardening headers every response carries besides the Content-Security-Policy, with the
 * values hono's `secureHeaders()` sets by default. Written out because they never vary: the
 * middleware's option handling weighs 3 KiB in the web function for a fixed list.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

/**
 * The Content-Security-Policy: this origin only, plus `mediaOrigins` for the video (a course
 * may host it elsewhere), data: images, no framing.
 */
export function contentSecurityPolicy(mediaOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "img-src 'self' data:",
    `media-src ${["'self'", ...mediaOrigins].join(" ")}`,
    "style-src 'self'",
    "script-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/**
 * Sets the Content-Security-Policy and {@link SECURITY_HEADERS} on a response's headers,
 * replacing any a handler set, and removes `X-Powered-By`. The policy is written once.
 * @example const secure = securityHeaderSetter([]); secure(c.res.headers);
 */
export function securityHeaderSetter(
  mediaOrigins: readonly string[] = [],
): (headers: Headers) => void {
  const list: readonly (readonly [string, string])[] = [
    ["Content-Security-Policy", contentSecurityPolicy(mediaOrigins)],
    ...SECURITY_HEADERS,
  ];
  return (headers) => {
    for (const [name, value] of list) headers.set(name, value);
    headers.delete("X-Powered-By");
  };
}

/**
 * The same as a middleware: sets them on every response, replacing any a handler set. (The
 * site's apps set them in their one outer middleware, ./shell.ts.)
 * @example app.use(securityHeaders(["https://video.example"]));
 */
export function securityHeaders(mediaOrigins: readonly string[] = []): MiddlewareHandler {
  const secure = securityHeaderSetter(mediaOrigins);
  return async (c, next) => {
    await next();
    secure(c.res.headers);
  };
}

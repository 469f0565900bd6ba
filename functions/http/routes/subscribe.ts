import { bodyLimit } from "hono/body-limit";
import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { EmailSchema, FirstNameSchema } from "../../core/email-address";
import { SIGNUP_RATE } from "../../core/limits";
import { safeTimeZone } from "../../core/schedule";
import { subscribe } from "../../funnel/subscriptions";
import { clientIp, type Env } from "../context";
import { LandingPage } from "../pages";
import { sharedRateLimit } from "../rate-limit";
import { bodyType, isFormPost } from "../render";
import { friendlyIssues } from "../signup-messages";
import { checkStamp, issueStamp, MIN_FILL_MS } from "../stamp";

/** The signup body, from JSON or a form post. Unknown fields are ignored. */
export const SignupBody = z.object({
  email: EmailSchema,
  firstName: z._default(z.optional(FirstNameSchema), ""),
  tz: z.optional(z.string().check(z.maxLength(64))),
  /** Required: from the landing page's form, or `GET /api/stamp` for API clients. */
  stamp: z.optional(z.string().check(z.maxLength(512))),
  /** Honeypot: people never see it, form-filling bots do. */
  website: z.optional(z.string().check(z.maxLength(2000))),
});

export const MAX_BODY_BYTES = 4 * 1024;

/** Per client: a burst of 10 signups, then one every 6 seconds (shared by every instance). */
export const SIGNUP_RATE_LIMIT = SIGNUP_RATE;

/**
 * POST /api/subscribe: JSON (answers JSON) or a plain form post (redirects to /thanks). The
 * landing page's form posts to `/` itself, so a refused post without script re-renders the
 * landing page, with the message and what was typed, at the landing page's own address.
 */
export const subscribeRoutes = new Hono<Env>()
  /**
   * A signup stamp for API clients: `{ stamp, notBefore }`. Post it as `stamp` with the signup,
   * no sooner than `notBefore` (ISO time); a signup without a valid, old-enough stamp is
   * answered like any other and nothing happens.
   */
  .get("/api/stamp", (c) => {
    const deps = c.get("deps");
    c.header("Cache-Control", "no-store");
    const notBefore = new Date(deps.clock.now() + MIN_FILL_MS).toISOString();
    return c.json({ stamp: issueStamp(deps), notBefore });
  })
  .on(
    "POST",
    ["/api/subscribe", "/"],
    sharedRateLimit("signup", (c) => c.get("deps").signupRateLimit ?? SIGNUP_RATE),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: "request body too large", issues: [] }, 413),
    }),
    async (c) => {
      const deps = c.get("deps");
      const isJson = bodyType(c) === "application/json";
      if (!isJson && !isFormPost(c)) {
        return c.json({ error: "send JSON or a form post", issues: [] }, 415);
      }
      let raw: unknown;
      try {
        raw = isJson ? await c.req.json() : await c.req.parseBody();
      } catch {
        return c.json({ error: "the body could not be parsed", issues: [] }, 400);
      }
      const parsed = SignupBody.safeParse(raw);
      if (!parsed.success) {
        const issues = friendlyIssues(parsed.error.issues, raw);
        const error = issues.map((i) => i.message).join(" ");
        if (isJson) return c.json({ error, issues }, 400);
        const values = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
        const str = (v: unknown) => (typeof v === "string" ? v.slice(0, 254) : undefined);
        const page = LandingPage({
          funnel: deps.course.funnel,
          formStamp: issueStamp(deps),
          error,
          values: { email: str(values.email), firstName: str(values.firstName) },
        });
        return c.html(page, 400);
      }
      const body = parsed.data;
      // Bots get the same answer as people; nothing is stored and nothing is sent.
      const bot = Boolean(body.website) || !(await checkStamp(deps, body.stamp));
      if (!bot) {
        await subscribe(deps, {
          email: body.email,
          firstName: body.firstName,
          timeZone: safeTimeZone(body.tz, deps.course.funnel.sequence.timeZone),
          consent: {
            ip: clientIp(c),
            userAgent: c.req.header("user-agent")?.slice(0, 256),
            form: isJson ? "landing:fetch" : "landing:form",
            textVersion: deps.course.funnel.landing.consentVersion,
          },
        });
      } else {
        deps.logger.info("signup refused softly", { reason: body.website ? "honeypot" : "stamp" });
      }
      if (isJson)
        return c.json({ ok: true, message: "Check your inbox to confirm your email." }, 202);
      return c.redirect("/thanks", 303);
    },
  );

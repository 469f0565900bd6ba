import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { Hono } from "hono/tiny";
import { applyImport, planImport } from "../../funnel/import";
import { OWNER_ACTIONS, type OwnerAction, ownerAction } from "../../funnel/owner";
import { ownerKey, signinJob } from "../../funnel/owner-mail";
import { buildReport } from "../../funnel/report";
import { sidFor } from "../../funnel/subscriptions";
import { isOwner, TestSendError, testableEmails, testEmail } from "../../funnel/test-send";
import {
  type AdminEnv,
  clearSession,
  hashSecret,
  LOGIN_MAIL_GAP_MS,
  loginRateLimit,
  newSecret,
  owners,
  requireOwner,
  SESSION_MS,
  sameOrigin,
  sessionSecret,
  startSession,
} from "./auth";
import { exportCsv } from "./export";
import {
  AdminMessage,
  ConfirmActionPage,
  DashboardPage,
  ImportResultPage,
  LoginLinkPage,
  LoginPage,
  LoginSentPage,
  SubscriberPage,
} from "./pages";

const SID = /^[A-Za-z0-9_-]{1,64}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** How long an upload may write rows; the rest is left for the same file uploaded again. */
const IMPORT_BUDGET_MS = 20_000;
const limit = bodyLimit({ maxSize: 4096, onError: (c) => c.text("request body too large", 413) });

/** Short notes shown after an action; the query names one, so no text is reflected. */
const FLASH: Record<string, string> = {
  pause: "Paused. Nothing is sent until you resume.",
  resume: "Resumed: the next email goes out when it is due, paced with everyone else's.",
  unsubscribe: "Unsubscribed.",
  erase: "Erased: nothing about that person is stored any more.",
  "test-sent": "Test on its way to the address you signed in with (paced with every other email).",
  "not-found": "No subscriber has that exact address.",
  unchanged: "Nothing changed: that action does not apply to this subscriber now.",
};

const form = async (c: { req: { parseBody(): Promise<Record<string, unknown>> } }) =>
  c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
const field = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === "string" ? (body[name] as string) : "";
const brandOf = (c: { get(k: "deps"): AdminEnv["Variables"]["deps"] }) =>
  c.get("deps").course.funnel.brand.name;

/**
 * The owner's area, mounted at /admin: sign-in by emailed single-use link, the dashboard, one
 * subscriber's record and actions, test sends and the CSV export. Every POST must come from
 * this site's own pages (Origin checked); everything but signing in needs a live session.
 */
export const adminRoutes = new Hono<AdminEnv>()
  .use(sameOrigin)
  .get("/admin.css", (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    const css = c.get("deps").course.funnel.site?.adminCss;
    if (css === undefined) return c.notFound();
    return c.body(css, 200, { "Content-Type": "text/css; charset=utf-8" });
  })
  // The emailed link shows a button; only its POST uses the link (mail scanners follow GETs).
  .get("/login", (c) => {
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "same-origin");
    const t = c.req.query("t");
    if (t && SECRET.test(t)) return c.html(LoginLinkPage({ brand: brandOf(c), token: t }));
    return c.html(LoginPage({ brand: brandOf(c) }));
  })
  .post("/login", loginRateLimit(), limit, async (c) => {
    const deps = c.get("deps");
    const email = field(await form(c), "email")
      .trim()
      .slice(0, 320);
    const now = deps.clock.now();
    const owner = email && owners(c).find((o) => isOwner([o], email));
    // Anyone else gets the same page and no email.
    if (
      owner &&
      (await deps.store.owners.allowLoginMail(ownerKey(owner), now, LOGIN_MAIL_GAP_MS))
    ) {
      // Queued ahead of the drip; the send worker makes the link right before SES.
      await deps.queue.enqueue([signinJob(owner)]);
      deps.logger.info("owner sign-in link queued", {});
    }
    return c.html(LoginSentPage({ brand: brandOf(c) }));
  })
  .post("/login/complete", loginRateLimit(), limit, async (c) => {
    const deps = c.get("deps");
    const t = field(await form(c), "t");
    const email = SECRET.test(t)
      ? await deps.store.owners.redeemLogin(hashSecret(t), deps.clock.now())
      : undefined;
    if (!email || !isOwner(owners(c), email)) {
      deps.logger.warn("owner sign-in refused", { reason: "link unknown, used or expired" });
      return c.html(
        AdminMessage({
          brand: brandOf(c),
          title: "This link no longer works",
          message: "Sign-in links work once, within 15 minutes. Ask for a new one.",
          back: "/admin/login",
        }),
        400,
      );
    }
    const { secret, hash } = newSecret();
    await deps.store.owners.createSession(hash, {
      email,
      expiresAtMs: deps.clock.now() + SESSION_MS,
    });
    startSession(c, secret);
    deps.logger.info("owner signed in", {});
    return c.redirect("/admin", 303);
  })
  .post("/logout", async (c) => {
    const secret = sessionSecret(c);
    if (secret) await c.get("deps").store.owners.endSession(hashSecret(secret));
    clearSession(c);
    return c.redirect("/admin/login", 303);
  })
  .get("/", requireOwner, async (c) => {
    const deps = c.get("deps");
    const report = await buildReport(deps, deps.clock.now());
    return c.html(
      DashboardPage({
        brand: brandOf(c),
        report,
        emails: testableEmails(deps.course),
        paused: deps.course.funnel.sequence.paused === true,
        flash: FLASH[c.req.query("done") ?? ""],
      }),
    );
  })
  .get("/subscribers.csv", requireOwner, (c) => exportCsv(c))
  .post("/find", requireOwner, limit, async (c) => {
    const email = field(await form(c), "email").trim();
    const sid = email && email.length <= 320 ? sidFor(c.get("deps"), email) : undefined;
    if (!sid || !(await c.get("deps").store.get(sid)))
      return c.redirect("/admin?done=not-found", 303);
    return c.redirect(`/admin/subscribers/${sid}`, 303);
  })
  .get("/subscribers/:sid", requireOwner, async (c) => {
    const sid = c.req.param("sid");
    const sub = SID.test(sid) ? await c.get("deps").store.get(sid) : undefined;
    if (!sub) return c.redirect("/admin?done=not-found", 303);
    c.header("Referrer-Policy", "same-origin");
    const clicks = await c.get("deps").store.clicks(sid);
    return c.html(
      SubscriberPage({
        brand: brandOf(c),
        sub,
        clicks,
        now: c.get("deps").clock.now(),
        sequencePaused: c.get("deps").course.funnel.sequence.paused === true,
        flash: FLASH[c.req.query("done") ?? ""],
      }),
    );
  })
  .post("/subscribers/:sid/:action", requireOwner, limit, async (c) => {
    const { sid, action } = c.req.param();
    if (!SID.test(sid) || !OWNER_ACTIONS.includes(action as OwnerAction))
      throw new HTTPException(404);
    const body = await form(c);
    if (field(body, "confirm") !== "yes") {
      return c.html(ConfirmActionPage({ brand: brandOf(c), sid, action: action as OwnerAction }));
    }
    const changed = await ownerAction(c.get("deps"), sid, action as OwnerAction);
    if (action === "erase")
      return c.redirect(`/admin?done=${changed ? "erase" : "not-found"}`, 303);
    return c.redirect(`/admin/subscribers/${sid}?done=${changed ? action : "unchanged"}`, 303);
  })
  .post(
    "/import",
    requireOwner,
    bodyLimit({
      // On AWS the upload reaches the function base64-encoded, within Lambda's 6 MB payload.
      maxSize: 4 * 1024 * 1024,
      onError: (c) => c.text("file too large (4 MB at most)", 413),
    }),
    async (c) => {
      const deps = c.get("deps");
      const body = await form(c);
      const file = body.file;
      const csv = file instanceof File ? await file.text() : "";
      const opts = field(body, "mode") === "active" ? { activeAt: field(body, "at") } : {};
      const plan = planImport(csv, opts, {
        emailIds: deps.sequences.current.order.map((e) => e.id),
        defaultZone: deps.course.funnel.sequence.timeZone,
        now: deps.clock.now(),
      });
      if (!plan.ok) return c.html(ImportResultPage({ brand: brandOf(c), result: plan }), 400);
      // Stops in time to answer: the API waits 30 s at most. The page says how to go on.
      const until = performance.now() + IMPORT_BUDGET_MS;
      const result = await applyImport(deps, plan.rows, opts, () => until - performance.now());
      return c.html(ImportResultPage({ brand: brandOf(c), result }));
    },
  )
  .post("/test-send", requireOwner, limit, async (c) => {
    const deps = c.get("deps");
    const owner = c.get("owner");
    const email = field(await form(c), "email");
    try {
      // Checked here (a clear answer at once), composed again by the send worker.
      await testEmail(deps, email, owner, owners(c));
      await deps.queue.enqueue([{ kind: "test", owner: ownerKey(owner), email }]);
    } catch (e) {
      if (!(e instanceof TestSendError)) throw e;
      return c.html(
        AdminMessage({
          brand: brandOf(c),
          title: "No test sent",
          message: e.message,
          signedIn: true,
        }),
        400,
      );
    }
    return c.redirect("/admin?done=test-sent", 303);
  });

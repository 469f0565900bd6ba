/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { ClickRecord } from "../../adapters/store";
import type { Subscriber } from "../../core/subscriber";
import type { ImportResult } from "../../funnel/import";
import type { OwnerAction } from "../../funnel/owner";
import type { Report } from "../../funnel/report";
import { DailyChart } from "./chart";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const when = (iso?: string) => (iso ? iso.replace("T", " ").slice(0, 16) : "–");

/** The admin area's document: its own stylesheet, no script, never indexed. */
export const AdminLayout = (props: {
  brand: string;
  title: string;
  signedIn?: boolean;
  children?: Child;
}) => (
  <>
    {raw("<!doctype html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · ${props.brand}`}</title>
        <link rel="stylesheet" href="/admin/admin.css" />
      </head>
      <body>
        <header class="bar">
          <a href="/admin">{props.brand} · owner</a>
          {props.signedIn ? (
            <form class="inline" method="post" action="/admin/logout">
              <button class="secondary" type="submit">
                Sign out
              </button>
            </form>
          ) : null}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  </>
);

export const LoginPage = ({ brand, error }: { brand: string; error?: string }) => (
  <AdminLayout brand={brand} title="Sign in">
    <section class="card narrow">
      <h1>Sign in</h1>
      <p>
        Enter your owner address. We email you a link that signs you in; it works once, for 15
        minutes.
      </p>
      {error ? <p role="alert">{error}</p> : null}
      <form method="post" action="/admin/login">
        <label for="email">Your email address</label>
        <div class="row">
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="email"
            required
            maxlength={320}
          />
          <button type="submit">Email me a sign-in link</button>
        </div>
      </form>
    </section>
  </AdminLayout>
);

export const LoginSentPage = ({ brand }: { brand: string }) => (
  <AdminLayout brand={brand} title="Check your inbox">
    <section class="card narrow">
      <h1>Check your inbox</h1>
      <p>
        If that address belongs to an owner of this site, a sign-in link is on its way. It works
        once, within 15 minutes.
      </p>
      <p class="note">
        Nothing arrived? Wait a minute and ask again; at most one link a minute is sent.
      </p>
    </section>
  </AdminLayout>
);

/** The page behind the emailed link: a GET shows a button, only its POST signs in. */
export const LoginLinkPage = ({ brand, token }: { brand: string; token: string }) => (
  <AdminLayout brand={brand} title="Sign in">
    <section class="card narrow">
      <h1>Sign in to the dashboard</h1>
      <form method="post" action="/admin/login/complete">
        <input type="hidden" name="t" value={token} />
        <button type="submit">Sign in</button>
      </form>
      <p class="note">The link works once. Signing in keeps you in for 12 hours on this browser.</p>
    </section>
  </AdminLayout>
);

export const AdminMessage = (props: {
  brand: string;
  title: string;
  message: string;
  signedIn?: boolean;
  back?: string;
}) => (
  <AdminLayout brand={props.brand} title={props.title} signedIn={props.signedIn}>
    <section class="card narrow">
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <p>
        <a href={props.back ?? "/admin"}>Back</a>
      </p>
    </section>
  </AdminLayout>
);

/**
 * A table wider than a phone scrolls inside its card, not the page; keyboard users can focus
 * it to scroll, and a screen reader hears it as a region named `label`.
 */
const Scroll = ({ label, children }: { label: string; children?: Child }) => (
  <section class="scroll" aria-label={label} tabindex={0}>
    {children}
  </section>
);

const Funnel = ({ r }: { r: Report }) => {
  const steps: [string, number, string][] = [
    ["Signed up", r.funnel.signups, ""],
    ["Confirmed", r.funnel.confirmed, `${pct(r.conversions.confirmed)} of signups`],
    ["Clicked", r.funnel.clicked, `${pct(r.conversions.clicked)} of confirmed`],
    ["Watched the video", r.funnel.watched, `${pct(r.conversions.watched)} of clicked`],
    ["Completed", r.funnel.completed, `${pct(r.conversions.completed)} of confirmed`],
  ];
  return (
    <div class="funnel">
      {steps.map(([name, value, note]) => (
        <div key={name}>
          <small>{name}</small>
          <b>{value}</b>
          <small>{note}</small>
        </div>
      ))}
    </div>
  );
};

export interface DashboardProps {
  brand: string;
  report: Report;
  emails: { id: string; subject: string }[];
  paused: boolean;
  flash?: string;
}

export const DashboardPage = ({ brand, report: r, emails, paused, flash }: DashboardProps) => (
  <AdminLayout brand={brand} title="Dashboard" signedIn>
    <h1>Your funnel</h1>
    {flash ? (
      <p role="status" class="card">
        {flash}
      </p>
    ) : null}
    {paused ? (
      <p class="card" role="status">
        The sequence is paused (<code>sequence.paused</code> in funnel.yaml): nothing is sent until
        it is set back to false.
      </p>
    ) : null}
    <Funnel r={r} />
    <p class="note">
      "Clicked" counts people who clicked a link at least once; mail scanners are counted apart.
    </p>

    <h2>Signups and confirmations</h2>
    <section class="card">
      <DailyChart daily={r.daily.slice(-30)} title="Last 30 days" />
    </section>
    <section class="card">
      <DailyChart daily={r.daily} title="Last 90 days" />
    </section>

    <h2>Emails</h2>
    <section class="card">
      <Scroll label="Emails">
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Sent</th>
              <th scope="col">Clicks</th>
              <th scope="col">Scanner clicks</th>
              <th scope="col">Click rate</th>
              <th scope="col">Unsubscribes</th>
              <th scope="col">Bounces</th>
              <th scope="col">Complaints</th>
              <th scope="col">Rejected</th>
            </tr>
          </thead>
          <tbody>
            {r.emails.map((e) => (
              <tr key={e.id}>
                <th scope="row">
                  {e.id}
                  <br />
                  <small class="muted">{e.subject}</small>
                </th>
                <td>{e.sent}</td>
                <td>{e.humanClicks}</td>
                <td>{e.scannerClicks}</td>
                <td>{pct(e.clickRate)}</td>
                <td>{e.unsubscribes}</td>
                <td>{e.bounces}</td>
                <td>{e.complaints}</td>
                <td>{e.rejects}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <p class="note">Click rate: people who clicked in the email at least once, per email sent.</p>
    </section>

    <h2>Subscribers</h2>
    <section class="card">
      <table>
        <tbody>
          {Object.entries(r.subscribers).map(([state, n]) => (
            <tr key={state}>
              <th scope="row">{state}</th>
              <td>{n}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">due in the next 24 hours</th>
            <td>{r.dueNext24h}</td>
          </tr>
          <tr>
            <th scope="row">rejected sends (all time)</th>
            <td>{r.failures.rejects}</td>
          </tr>
          <tr>
            <th scope="row">dead-letter queue</th>
            <td>{r.failures.deadLetters ?? "none here"}</td>
          </tr>
        </tbody>
      </table>
      <div class="row">
        <form method="post" action="/admin/find">
          <label for="find">Find a subscriber by exact address</label>
          <div class="row">
            <input
              id="find"
              name="email"
              type="email"
              required
              maxlength={320}
              autocomplete="off"
            />
            <button type="submit">Find</button>
          </div>
        </form>
        <form method="get" action="/admin/subscribers.csv">
          <button class="secondary" type="submit">
            Export all as CSV
          </button>
        </form>
      </div>
    </section>

    <h2>Import subscribers</h2>
    <section class="card">
      <form method="post" action="/admin/import" enctype="multipart/form-data">
        <label for="csv">
          CSV file (columns: email, firstName, timeZone, consentAt, consentSource)
        </label>
        <input id="csv" name="file" type="file" accept=".csv,text/csv" required />
        <fieldset>
          <legend>Each new address</legend>
          <label>
            <input type="radio" name="mode" value="confirm" checked /> gets a confirmation email and
            joins when they confirm
          </label>
          <label>
            <input type="radio" name="mode" value="active" /> joins now, at this email (every row
            must give consentAt and consentSource):
          </label>
          <select name="at" aria-label="Start at email">
            {emails.slice(1).map((e) => (
              <option key={e.id} value={e.id}>{`${e.id}: ${e.subject}`}</option>
            ))}
          </select>
        </fieldset>
        <button type="submit">Import</button>
      </form>
      <p class="note">
        The whole file is checked first: a bad row is reported by its line and nothing is imported.
        Addresses already on the list are left as they are, so importing a file twice changes
        nothing. Up to 4 MB; a long list may need the same file uploaded again (the result says how
        many rows are left).
      </p>
    </section>

    <h2>Send yourself a test</h2>
    <section class="card">
      <form method="post" action="/admin/test-send">
        <label for="email-id">Email</label>
        <div class="row">
          <select id="email-id" name="email">
            {emails.map((e) => (
              <option key={e.id} value={e.id}>{`${e.id}: ${e.subject}`}</option>
            ))}
          </select>
          <button type="submit">Send me a test</button>
        </div>
      </form>
      <p class="note">
        Rendered from your content as a subscriber gets it, with [Test] before the subject, to the
        address you signed in with. Nothing is recorded.
      </p>
    </section>
    <p class="note">Report made {when(r.generatedAt)} UTC.</p>
  </AdminLayout>
);

const ACTION_TEXT: Record<OwnerAction, { label: string; confirm: string; danger?: boolean }> = {
  pause: {
    label: "Pause",
    confirm:
      "No email goes to this subscriber until you resume. Their place in the sequence is kept.",
  },
  resume: {
    label: "Resume",
    confirm: "The email that was due when you paused goes out next, paced with everyone else's.",
  },
  unsubscribe: {
    label: "Unsubscribe",
    confirm:
      "They get no further email. Only a new signup with a fresh confirmation brings them back.",
    danger: true,
  },
  erase: {
    label: "Erase",
    confirm:
      "Everything stored about this person is deleted: address, consent, sends and clicks. This cannot be undone.",
    danger: true,
  },
};

export function actionsFor(sub: Subscriber): OwnerAction[] {
  const out: OwnerAction[] = [];
  if (sub.status === "active") out.push(sub.pausedAt ? "resume" : "pause");
  else if (sub.pausedAt) out.push("resume");
  if (sub.status === "active" || sub.status === "completed" || sub.status === "pending")
    out.push("unsubscribe");
  out.push("erase");
  return out;
}

/**
 * The "Next email" line of one subscriber, true at `now`: only an active subscriber has one.
 * A completed subscriber keeps a `dueAt` (when they completed, for lessons appended later) and
 * a claimed send one in the future (its lease), so neither is shown as a due time.
 */
export function nextEmailText(
  sub: Pick<Subscriber, "status" | "dueAt" | "lease" | "pausedAt" | "pausedDueAt" | "nextId">,
  now: number,
  sequencePaused = false,
): string {
  switch (sub.status) {
    case "pending":
      return "None until they confirm";
    case "completed":
      return "None: sequence completed";
    case "unsubscribed":
      return "None: unsubscribed";
    case "bounced":
      return "None: their address bounced";
    case "complained":
      return "None: they marked an email as spam";
  }
  const email = sub.nextId ? `${sub.nextId}, ` : "";
  if (sub.pausedAt) {
    return sub.pausedDueAt
      ? `${email}held while paused (was due ${when(sub.pausedDueAt)} UTC)`
      : "Held while paused";
  }
  if (!sub.dueAt) return "None scheduled";
  const due = Date.parse(sub.dueAt);
  // A claimed send holds `dueAt` at the end of its lease; a lease run out is due again.
  if (sub.lease && due > now) return `${email}being sent now`;
  if (due <= now) {
    return sequencePaused
      ? `${email}due now, held while the sequence is paused`
      : `${email}due now: goes out with the next send round`;
  }
  return `${email}${when(sub.dueAt)} UTC`;
}

/** The one view that shows an address: one subscriber, found by exact address. */
export const SubscriberPage = ({
  brand,
  sub,
  clicks,
  now,
  sequencePaused,
  flash,
}: {
  brand: string;
  sub: Subscriber;
  clicks: ClickRecord[];
  /** The time the page is made at (ms): what is due is judged against it. */
  now: number;
  sequencePaused?: boolean;
  flash?: string;
}) => (
  <AdminLayout brand={brand} title="Subscriber" signedIn>
    <h1>{sub.email}</h1>
    {flash ? (
      <p role="status" class="card">
        {flash}
      </p>
    ) : null}
    <section class="card">
      <dl>
        <dt>Status</dt>
        <dd>{sub.pausedAt ? `${sub.status}, paused since ${when(sub.pausedAt)}` : sub.status}</dd>
        <dt>First name</dt>
        <dd>{sub.firstName || "–"}</dd>
        <dt>Signed up</dt>
        <dd>{when(sub.createdAt)}</dd>
        <dt>Confirmed</dt>
        <dd>{when(sub.confirmedAt)}</dd>
        <dt>Next email</dt>
        <dd>{nextEmailText(sub, now, sequencePaused)}</dd>
        <dt>Time zone</dt>
        <dd>{sub.timeZone}</dd>
        <dt>Consent</dt>
        <dd>
          {when(sub.consent.at)} via {sub.consent.form}, text version {sub.consent.textVersion}
          {sub.consent.ip ? `, from ${sub.consent.ip}` : ""}
          {sub.consent.userAgent ? (
            <>
              <br />
              <small class="muted">{sub.consent.userAgent}</small>
            </>
          ) : null}
        </dd>
      </dl>
    </section>
    <h2>Actions</h2>
    <section class="card row">
      {actionsFor(sub).map((a) => (
        <form key={a} class="inline" method="post" action={`/admin/subscribers/${sub.sid}/${a}`}>
          <button type="submit" class={ACTION_TEXT[a].danger ? "danger" : ""}>
            {ACTION_TEXT[a].label}…
          </button>
        </form>
      ))}
    </section>
    <h2>Emails sent</h2>
    <section class="card">
      {sub.sends.length ? (
        <Scroll label="Emails sent">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Sent (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {sub.sends.map((s) => (
                <tr key={s.at}>
                  <td>{s.id}</td>
                  <td class="when">{when(s.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      ) : (
        <p class="muted">None yet.</p>
      )}
      {sub.failures?.length ? (
        <p class="note">{sub.failures.length} send(s) refused by the mail service.</p>
      ) : null}
    </section>
    <h2>Clicks</h2>
    <section class="card">
      {clicks.length ? (
        <Scroll label="Clicks">
          <table>
            <thead>
              <tr>
                <th scope="col">Link</th>
                <th scope="col">When (UTC)</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {clicks.map((k) => (
                <tr key={`${k.at}${k.link}`}>
                  <td>{k.link}</td>
                  <td class="when">{when(k.at)}</td>
                  <td>{k.scanner ? "mail scanner" : "person"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      ) : (
        <p class="muted">None.</p>
      )}
    </section>
  </AdminLayout>
);

/** The confirm step before an action changes anything. */
export const ConfirmActionPage = ({
  brand,
  sid,
  action,
}: {
  brand: string;
  sid: string;
  action: OwnerAction;
}) => (
  <AdminLayout brand={brand} title={ACTION_TEXT[action].label} signedIn>
    <section class="card narrow">
      <h1>{ACTION_TEXT[action].label} this subscriber?</h1>
      <p>{ACTION_TEXT[action].confirm}</p>
      <form method="post" action={`/admin/subscribers/${sid}/${action}`}>
        <input type="hidden" name="confirm" value="yes" />
        <div class="row">
          <button type="submit" class={ACTION_TEXT[action].danger ? "danger" : ""}>
            Yes, {ACTION_TEXT[action].label.toLowerCase()}
          </button>
          <a href={`/admin/subscribers/${sid}`}>Cancel</a>
        </div>
      </form>
    </section>
  </AdminLayout>
);

/** What an import did, or every line that stopped it. */
const rows = (n: number) => (n === 1 ? "1 row was" : `${n} rows were`);

export const ImportResultPage = (props: {
  brand: string;
  result: ImportResult | { errors: { line: number; message: string }[] };
}) => (
  <AdminLayout brand={props.brand} title="Import" signedIn>
    <section class="card">
      {"errors" in props.result ? (
        <>
          <h1>Nothing was imported</h1>
          <p>Fix these lines and upload the file again:</p>
          <ul>
            {props.result.errors.slice(0, 200).map((e) => (
              <li key={`${e.line}${e.message}`}>
                {e.line ? `Line ${e.line}: ${e.message}` : e.message}
              </li>
            ))}
          </ul>
          {props.result.errors.length > 200 ? (
            <p>…and {props.result.errors.length - 200} more.</p>
          ) : null}
        </>
      ) : (
        <>
          <h1>{props.result.left || props.result.failed ? "Partly imported" : "Imported"}</h1>
          <p>
            {props.result.created} new, {props.result.unchanged} already on the list (left as they
            were).
          </p>
          {props.result.left || props.result.failed ? (
            <p>
              {props.result.left ? `${rows(props.result.left)} not reached in time. ` : ""}
              {props.result.failed ? `${rows(props.result.failed)} not saved just now. ` : ""}
              Upload the same file again to finish: rows already imported are left as they are.
            </p>
          ) : null}
        </>
      )}
      <p>
        <a href="/admin">Back to the dashboard</a>
      </p>
    </section>
  </AdminLayout>
);

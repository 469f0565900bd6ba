/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
import { DATA_LINKS_LIFETIME } from "../../core/links";
import type { Status } from "../../core/subscriber";
import { STATUS_TEXT } from "../../funnel/my-data";
import { Layout, Panel, pageTitle } from "./layout";

export interface ManageSummary {
  email: string;
  firstName?: string;
  status: Status;
  /** When the subscription began, ideally an ISO 8601 time. */
  since: string;
  /** The course emails received, counted as the emails count them ("3 of 6 lessons"). */
  progress: string;
}

/** What an emailed data link does. */
export type DataAction = "export" | "erase";
const VERB: Record<DataAction, string> = { export: "download", erase: "erase" };

export interface ManagePageProps {
  funnel: Funnel;
  /** The token of the email link; the "Email me a link" button posts it back. */
  token: string;
  summary: ManageSummary;
  /** Where "Unsubscribe" leads, when the link can unsubscribe and they are still subscribed. */
  unsubscribeHref?: string;
}

function sinceText(since: string): string {
  const date = new Date(since);
  if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(date.getTime())) return since;
  return date.toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" });
}

/**
 * Downloading and erasing take a fresh link sent to the address: a link in an email may have
 * been forwarded, and whoever holds it must not be able to read or erase this. The button posts
 * the email link's token to /manage/links.
 */
export const AskForLinks = ({ token, heading = true }: { token: string; heading?: boolean }) => (
  <section class="manage-block" aria-labelledby="data-title">
    {heading ? <h2 id="data-title">Download or erase your data</h2> : null}
    <p>
      To keep your data safe if one of our emails is forwarded, we send the links to download or
      erase it to your email address. They work for {DATA_LINKS_LIFETIME}.
    </p>
    <form method="post" action={`/manage/links?t=${encodeURIComponent(token)}`}>
      <button type="submit" class="button">
        Email me a link
      </button>
    </form>
  </section>
);

/** What we hold about a subscriber, and the button that emails links to download or erase it. */
export const ManagePage = ({ funnel, token, summary, unsubscribeHref }: ManagePageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Your data")}>
    <Panel eyebrow="Your subscription" heading="Your data">
      <dl class="summary">
        <dt>Email address</dt>
        <dd>{summary.email}</dd>
        <dt>First name</dt>
        <dd>{summary.firstName || "Not given"}</dd>
        <dt>Status</dt>
        <dd>{STATUS_TEXT[summary.status]}</dd>
        <dt>Since</dt>
        <dd>
          <time datetime={summary.since}>{sinceText(summary.since)}</time>
        </dd>
        <dt>Emails received</dt>
        <dd>{summary.progress}</dd>
      </dl>

      <AskForLinks token={token} />

      <section class="manage-block" aria-labelledby="sub-title">
        <h2 id="sub-title">Your subscription</h2>
        {unsubscribeHref ? (
          <p>
            No more emails? <a href={unsubscribeHref}>Unsubscribe</a>.
          </p>
        ) : (
          <p>
            To get the lessons again, <a href="/">sign up on the home page</a>.
          </p>
        )}
      </section>
    </Panel>
  </Layout>
);

/**
 * A link that cannot download or erase (the link of an email, or the manage page's own): said
 * plainly, with the button that sends a fresh link.
 */
export const FreshLinkNeededPage = ({
  funnel,
  token,
  action,
}: {
  funnel: Funnel;
  token: string;
  action: DataAction;
}) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "We'll email you a link")}>
    <Panel heading={`To ${VERB[action]} your data, use a fresh link`}>
      <p>
        The link you followed is from one of our emails, which may have been forwarded, so it cannot{" "}
        {VERB[action]} your data. Press the button and we'll email a link for that to your address.
      </p>
      <AskForLinks token={token} heading={false} />
    </Panel>
  </Layout>
);

/** After "Email me a link": the same page whether or not an email went out. */
export const LinksSentPage = ({ funnel, back }: { funnel: Funnel; back: string }) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Check your inbox")}>
    <Panel heading="Check your inbox">
      <p>
        If this address can receive our emails, a link to download or erase your data is on its way
        to it. It works for {DATA_LINKS_LIFETIME}.
      </p>
      <p class="muted">
        Nothing after a few minutes? Look in your spam folder. You can ask again after 10 minutes.
      </p>
      <div class="actions">
        <a href={back}>Back to your data</a>
      </div>
    </Panel>
  </Layout>
);

/** Where the emailed download link leads: one button, which downloads the file. */
export const ExportPage = ({ funnel, token }: { funnel: Funnel; token: string }) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Download your data")}>
    <Panel eyebrow="Your data" heading="Download a copy of your data">
      <p>
        Everything we store about you, including when and how you signed up and the emails you
        received, as a file. This link works for {DATA_LINKS_LIFETIME} from when we sent it.
      </p>
      <form method="post" action={`/manage/export?t=${encodeURIComponent(token)}`}>
        <button type="submit" class="button">
          Download my data
        </button>
      </form>
    </Panel>
  </Layout>
);

/** Where the emailed erase link leads: erasing needs a tick and a press. */
export const ErasePage = ({ funnel, token }: { funnel: Funnel; token: string }) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Erase your data")}>
    <Panel eyebrow="Your data" heading="Erase everything">
      <p>
        Deletes your subscription and all we store about you. You will get no further emails, and
        every link in our earlier emails stops working.
      </p>
      <form method="post" action={`/manage/erase?t=${encodeURIComponent(token)}`}>
        <fieldset>
          <legend class="visually-hidden">Confirm erasure</legend>
          <div class="check">
            <input id="erase-confirm" type="checkbox" name="confirm" value="yes" required />
            <label for="erase-confirm">
              I understand that this erases my subscription and my data, and cannot be undone.
            </label>
          </div>
        </fieldset>
        <button type="submit" class="button button--danger">
          Erase me
        </button>
      </form>
    </Panel>
  </Layout>
);

export interface ErasedPageProps {
  funnel: Funnel;
}

/** After erasure. */
export const ErasedPage = ({ funnel }: ErasedPageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Data erased")}>
    <Panel heading="Your data has been erased">
      <p>
        Your subscription and everything we stored about you are gone. You won't get any more emails
        from {funnel.brand.name}.
      </p>
      <div class="actions">
        <a href="/">Back to the home page</a>
      </div>
    </Panel>
  </Layout>
);

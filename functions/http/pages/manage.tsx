/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
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

export interface ManagePageProps {
  funnel: Funnel;
  /** The manage token from the email link; posted back by both forms. */
  token: string;
  summary: ManageSummary;
}

function sinceText(since: string): string {
  const date = new Date(since);
  if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(date.getTime())) return since;
  return date.toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" });
}

/** What we hold about a subscriber, with "download my data" and "erase me". */
export const ManagePage = ({ funnel, token, summary }: ManagePageProps) => {
  const t = encodeURIComponent(token);
  return (
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

        <section class="manage-block" aria-labelledby="export-title">
          <h2 id="export-title">Download a copy</h2>
          <p class="muted">
            Everything we store about you, including when and how you signed up, as a file.
          </p>
          <form method="post" action={`/manage/export?t=${t}`}>
            <button type="submit" class="button button--quiet">
              Download my data
            </button>
          </form>
        </section>

        <section class="manage-block" aria-labelledby="erase-title">
          <h2 id="erase-title">Erase everything</h2>
          <p class="muted">
            Deletes your subscription and all we store about you. You will get no further emails.
          </p>
          <form method="post" action={`/manage/erase?t=${t}`}>
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
        </section>
      </Panel>
    </Layout>
  );
};

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

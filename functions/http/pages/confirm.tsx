/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
import { Layout, Panel, pageTitle } from "./layout";

export interface ConfirmPageProps {
  funnel: Funnel;
  /** The confirm token from the email link; posted back, never acted on by GET. */
  token: string;
}

/**
 * What a confirm link opens. Mail scanners follow links, so the GET only shows this page;
 * the POST (sent by the site script once, or by the button without script) confirms.
 */
export const ConfirmPage = ({ funnel, token }: ConfirmPageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Confirming your email")}>
    <Panel heading="Confirming your email…">
      <p class="muted">One moment, please. If nothing happens, press the button below.</p>
      <form
        method="post"
        action={`/confirm?t=${encodeURIComponent(token)}`}
        data-autosubmit
        class="actions"
      >
        <button type="submit" class="button">
          Confirm my email
        </button>
      </form>
    </Panel>
  </Layout>
);

export interface ConfirmedPageProps {
  funnel: Funnel;
  firstName?: string;
}

/** After a successful confirmation: the masterclass is on its way, and a way in now. */
export const ConfirmedPage = ({ funnel, firstName }: ConfirmedPageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "You're in")}>
    <Panel
      eyebrow="Email confirmed"
      heading={
        firstName ? (
          <>
            You're in, <bdi>{firstName}</bdi>!
          </>
        ) : (
          "You're in!"
        )
      }
    >
      <p>
        {funnel.masterclass.title} is on its way to your inbox, together with your printable guide,{" "}
        <em>{funnel.guide.title}</em>.
      </p>
      <p class="muted">You don't have to wait for it, though.</p>
      <div class="actions">
        <a class="button" href="/masterclass">
          Start the masterclass now
        </a>
      </div>
    </Panel>
  </Layout>
);

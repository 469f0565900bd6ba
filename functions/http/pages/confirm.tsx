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
 * What a confirm link opens. Mail scanners follow links, and security sandboxes open them in
 * real browsers that run scripts, so opening this page changes nothing, with or without
 * scripts: only a person pressing its one button (a POST) confirms.
 */
export const ConfirmPage = ({ funnel, token }: ConfirmPageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Confirm your email")}>
    <Panel eyebrow="One last step" heading="Confirm your email">
      <p>
        Press the button to confirm that this is your email address. The masterclass opens straight
        away, and the guide is on its way to your inbox.
      </p>
      <form method="post" action={`/confirm?t=${encodeURIComponent(token)}`} class="actions">
        <button type="submit" class="button">
          Confirm and watch the masterclass
        </button>
      </form>
    </Panel>
  </Layout>
);

/** A confirm link opened again after it did its work: nothing to do, the way in is here. */
export const AlreadyConfirmedPage = ({ funnel }: { funnel: Funnel }) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Already confirmed")}>
    <Panel eyebrow="Email confirmed" heading="You're already confirmed">
      <p>
        This link has done its work: your email is confirmed, and {funnel.masterclass.title} is
        yours.
      </p>
      <div class="actions">
        <a class="button" href="/masterclass">
          Watch the masterclass
        </a>
      </div>
    </Panel>
  </Layout>
);

/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
import { Layout, Panel, pageTitle } from "./layout";

export interface UnsubscribePageProps {
  funnel: Funnel;
  /** The unsubscribe token from the email link; posted back by the button. */
  token: string;
}

/** What an unsubscribe link opens: a GET changes nothing, the button's POST does. */
export const UnsubscribePage = ({ funnel, token }: UnsubscribePageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Unsubscribe")}>
    <Panel heading={`Unsubscribe from ${funnel.brand.name}?`}>
      <p>You will stop receiving the masterclass lessons and any other emails from us.</p>
      <form method="post" action={`/u?t=${encodeURIComponent(token)}`} class="actions">
        <button type="submit" class="button">
          Unsubscribe
        </button>
        <a href="/">Keep my subscription</a>
      </form>
    </Panel>
  </Layout>
);

export interface UnsubscribedPageProps {
  funnel: Funnel;
}

/** After unsubscribing. */
export const UnsubscribedPage = ({ funnel }: UnsubscribedPageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Unsubscribed")}>
    <Panel heading="You're unsubscribed">
      <p>You won't get any more emails from {funnel.brand.name}.</p>
      <p class="muted">
        Thank you for practising with us. Wishing you easy, happy hips. — {funnel.brand.teacher}
      </p>
      <div class="actions">
        <a href="/">Back to the home page</a>
      </div>
    </Panel>
  </Layout>
);

/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
import { Layout, Panel, pageTitle } from "./layout";
import { prose } from "./markdown";

export interface ThanksPageProps {
  funnel: Funnel;
}

/** Shown after a plain form signup: confirm by email, and where to look for it. */
export const ThanksPage = ({ funnel }: ThanksPageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, "Check your inbox")}>
    <Panel eyebrow="One more step" heading={funnel.thanks.headline}>
      <div class="prose">{prose(funnel.html.thanks)}</div>
      <div class="tip">
        <p>
          Not there? Check your spam or promotions folder. Adding{" "}
          <strong>{funnel.sender.email}</strong> to your contacts helps every lesson reach your
          inbox.
        </p>
        <p>
          Used the wrong address? <a href="/#signup">Sign up again with the right one</a>.
        </p>
      </div>
    </Panel>
  </Layout>
);

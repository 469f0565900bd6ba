/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel, PrivacyDoc } from "../../core/content";
import { Layout, pageTitle } from "./layout";
import { prose } from "./markdown";

export interface PrivacyPageProps {
  funnel: Funnel;
  privacy: PrivacyDoc;
}

/** The privacy notice from `content/privacy.md`. */
export const PrivacyPage = ({ funnel, privacy }: PrivacyPageProps) => {
  const updated = new Date(`${privacy.updated}T12:00:00Z`).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  return (
    <Layout
      funnel={funnel}
      title={pageTitle(funnel, privacy.title)}
      description={`How ${funnel.brand.name} collects, uses and protects your details.`}
      indexable
      path="/privacy"
    >
      <div class="page">
        <div class="wrap narrow">
          <article class="card prose-page" aria-labelledby="page-title">
            <p class="eyebrow">Privacy</p>
            <h1 id="page-title">{privacy.title}</h1>
            <p class="muted">
              Last updated <time datetime={privacy.updated}>{updated}</time>
            </p>
            <div class="prose">{prose(privacy.html)}</div>
          </article>
        </div>
      </div>
    </Layout>
  );
};

/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
import { Layout, Panel, pageTitle } from "./layout";

export interface MessagePageProps {
  funnel: Funnel;
  /** The HTTP status the page is sent with; picks the small label above the title. */
  status: number;
  title: string;
  message: string;
}

function label(status: number): string | undefined {
  if (status === 404) return "Page not found";
  if (status === 410) return "Link expired";
  if (status === 429) return "Please wait a moment";
  if (status >= 500) return "Something went wrong";
  return undefined;
}

/** Invalid or expired links, not found, errors and friendly refusals of form posts. */
export const MessagePage = ({ funnel, status, title, message }: MessagePageProps) => (
  <Layout funnel={funnel} title={pageTitle(funnel, title)}>
    <Panel eyebrow={label(status)} heading={title}>
      <p>{message}</p>
      <div class="actions">
        <a href="/">Back to the home page</a>
      </div>
    </Panel>
  </Layout>
);

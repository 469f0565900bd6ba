import { Markdown } from "@react-email/components";
import { markdownStyles } from "../theme";

/**
 * A markdown body with inline styles. Link hrefs are written out as given (no URL encoding),
 * so `{{link:id}}` placeholders survive to be filled in per recipient.
 */
export function MarkdownBody({ markdown, accent }: { markdown: string; accent: string }) {
  return <Markdown markdownCustomStyles={markdownStyles(accent)}>{markdown}</Markdown>;
}

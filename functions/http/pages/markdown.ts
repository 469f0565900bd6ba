import { raw } from "hono/html";

/**
 * The author's markdown from `content/`, already rendered to HTML when the course was built
 * (see `Funnel.html`): the web function carries no markdown parser. Trusted course text
 * only; anything a visitor typed goes through JSX, which escapes it.
 */
export function prose(html: string) {
  return raw(html);
}

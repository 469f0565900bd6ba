import { raw } from "hono/html";
import { Marked } from "marked";

const marked = new Marked({ gfm: true });

/**
 * Renders author-written markdown from `content/` as HTML. Only for trusted course text:
 * anything a visitor typed goes through JSX, which escapes it.
 */
export function markdown(text: string) {
  return raw(marked.parse(text, { async: false }));
}

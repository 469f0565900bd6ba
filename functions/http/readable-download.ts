import type { MiddlewareHandler } from "hono";

/** The file name of a person's data download (`/manage/export`). */
export const MY_DATA_FILE = "my-data.json";

/**
 * A person's data download is for reading: indented two spaces, a newline at the end. Only a
 * JSON attachment of that name is rewritten; any other response passes as it is.
 */
export const readableDownload: MiddlewareHandler = async (c, next) => {
  await next();
  const res = c.res;
  const disposition = res.headers.get("content-disposition") ?? "";
  const type = res.headers.get("content-type") ?? "";
  if (!disposition.includes(`filename="${MY_DATA_FILE}"`) || !type.startsWith("application/json"))
    return;
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  const text = `${JSON.stringify(await res.json(), null, 2)}\n`;
  c.res = undefined;
  c.res = new Response(text, { status: res.status, headers });
};

import { afterAll, describe, expect, it } from "vitest";
import {
  installLightFetch,
  LightHeaders,
  LightRequest,
  LightResponse,
} from "../../functions/http/light-fetch";

/**
 * The light fetch classes of the web and admin Lambdas (functions/http/light-fetch.ts) against
 * Node's own: each case runs with both sets and must give the same result, errors included.
 */
type Classes = { Headers: typeof Headers; Request: typeof Request; Response: typeof Response };
const NATIVE: Classes = { Headers, Request, Response };
const LIGHT = {
  Headers: LightHeaders,
  Request: LightRequest,
  Response: LightResponse,
} as unknown as Classes;

/** What a case gives, or the kind of error it throws, made comparable. */
async function outcome(run: (k: Classes) => unknown, k: Classes): Promise<unknown> {
  try {
    const value = await run(k);
    return { value: JSON.parse(JSON.stringify(value ?? null)) };
  } catch (e) {
    return { error: (e as Error).constructor.name };
  }
}

const same = (name: string, run: (k: Classes) => unknown) =>
  it(name, async () => {
    const native = await outcome(run, NATIVE);
    expect(await outcome(run, LIGHT)).toEqual(native);
  });

const all = (h: Headers) => [...h];

describe("light Headers are Node's", () => {
  same("from an object, a list of pairs and another Headers; names in lower case, sorted", (k) => {
    const a = new k.Headers({ "X-B": "2", "Content-Type": "text/html", "x-a": " 1 " });
    const b = new k.Headers([
      ["Set-Cookie", "a=1"],
      ["set-cookie", "b=2"],
      ["Vary", "accept"],
      ["vary", "cookie"],
    ]);
    return [all(a), all(b), all(new k.Headers(b)), all(new k.Headers(a))];
  });

  same("get, has, set, append, delete, case-insensitive; set-cookie kept apart", (k) => {
    const h = new k.Headers();
    h.append("Set-Cookie", "a=1; Path=/");
    h.append("set-cookie", "b=2; HttpOnly");
    h.set("Cache-Control", "no-store");
    h.append("cache-control", "private");
    const before = [h.get("SET-COOKIE"), h.getSetCookie(), h.get("cache-control"), h.has("X")];
    h.set("cache-control", "max-age=60");
    h.delete("Set-Cookie");
    const seen: string[] = [];
    h.forEach((v, n) => {
      seen.push(`${n}=${v}`);
    });
    return [before, all(h), seen, [...h.keys()], [...h.values()], h.get("missing")];
  });

  same("an invalid name is refused", (k) => new k.Headers({ "bad name": "x" }));
  same("a value with a line break is refused", (k) => new k.Headers().set("x", "a\r\nb: c"));
  same("a value's leading and trailing whitespace is dropped", (k) =>
    new k.Headers([["x", "\t a b \n"]]).get("x"),
  );
  same("a pair that is not two items is refused", (k) => new k.Headers([["x"]] as never));
});

describe("light Response is Node's", () => {
  const view = async (r: Response) => ({
    status: r.status,
    statusText: r.statusText,
    ok: r.ok,
    headers: all(r.headers),
    cookies: r.headers.getSetCookie(),
    body: await r.text(),
    type: r.type,
    redirected: r.redirected,
  });

  same("a text body gets text/plain; bytes get no type; null has no body", async (k) => [
    await view(new k.Response("hello")),
    await view(new k.Response(new TextEncoder().encode("bytes"), { status: 201 })),
    await view(new k.Response(null, { status: 204, statusText: "No Content" })),
    new k.Response(null).body === null,
  ]);

  same("a given content type stays; status out of range is refused", (k) => [
    all(new k.Response("<p>", { headers: { "Content-Type": "text/html" } }).headers),
  ]);
  same("status 600 is refused", (k) => new k.Response("x", { status: 600 }));
  same("a 204 with a body is refused", (k) => new k.Response("x", { status: 204 }));

  same("read once: arrayBuffer, then a second read fails", async (k) => {
    const r = new k.Response("héllo");
    const bytes = [...new Uint8Array(await r.arrayBuffer())];
    return [bytes, r.bodyUsed, await r.text().catch((e: Error) => e.constructor.name)];
  });

  same("json, blob and an empty body", async (k) => [
    await new k.Response('{"a":[1,2]}').json(),
    await (await new k.Response("abc", { headers: { "content-type": "text/csv" } }).blob()).text(),
    (await new k.Response("abc", { headers: { "content-type": "text/csv" } }).blob()).type,
    await new k.Response().text(),
  ]);

  same(
    "rebuilt from its own body and itself (hono replacing c.res), headers and cookies kept",
    async (k) => {
      const first = new k.Response("<h1>x</h1>", {
        status: 404,
        statusText: "Not Found",
        headers: [
          ["content-type", "text/html; charset=UTF-8"],
          ["set-cookie", "a=1"],
          ["set-cookie", "b=2"],
        ],
      });
      const again = new k.Response(first.body, first);
      return [await view(again), first.bodyUsed];
    },
  );

  same("a HEAD answer: null body, the GET answer's status and headers", async (k) => {
    const get = new k.Response("page", { status: 200, headers: { "x-a": "1" } });
    return view(new k.Response(null, get));
  });

  same("clone reads the same twice", async (k) => {
    const r = new k.Response("twice", { status: 202 });
    const c = r.clone();
    return [await view(r), await view(c)];
  });

  same("Response.json and a form body read as form data", async (k) => {
    const form = await new k.Response("a=1&b=%C3%A9", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }).formData();
    return [await view(k.Response.json({ ok: true }, { status: 201 })), [...form]];
  });

  same("a stream body", async (k) => {
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("stre"));
        c.enqueue(new TextEncoder().encode("amed"));
        c.close();
      },
    });
    const r = new k.Response(stream);
    const copy = r.clone();
    return [await view(r), await view(copy)];
  });
});

describe("light Request is Node's", () => {
  const view = async (r: Request) => ({
    url: r.url,
    method: r.method,
    headers: all(r.headers),
    body: r.method === "GET" || r.method === "HEAD" ? null : await r.text(),
  });

  same("URL and method as the standard normalises them", async (k) => [
    await view(new k.Request("https://example.com/a/../b?x=1#f")),
    await view(new k.Request("https://EXAMPLE.com/%7euser", { method: "post", body: "" })),
    await view(new k.Request("https://example.com/", { method: "patch", body: "x" })),
  ]);
  same("a relative URL is refused", (k) => new k.Request("/relative"));
  same("a GET with a body is refused", (k) => new k.Request("https://e.com/", { body: "x" }));

  same("an API Gateway request: headers, bytes, JSON", async (k) => {
    const headers = new k.Headers();
    headers.set("Cookie", "a=1; b=2");
    headers.set("content-type", "application/json");
    headers.set("content-length", "9");
    const r = new k.Request("https://site.example/api/subscribe", {
      method: "POST",
      headers,
      body: new TextEncoder().encode('{"a":"é"}'),
    });
    return [r.headers.get("cookie"), await r.json(), r.bodyUsed, r.body === null];
  });

  same("form posts, urlencoded and multipart with a file, read as form data", async (k) => {
    const boundary = "----x";
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="email"',
      "",
      "a@example.com",
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="list.csv"',
      "Content-Type: text/csv",
      "",
      "email\nb@example.com",
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const url = new k.Request("https://e.com/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=a%40example.com&tz=Europe%2FLondon",
    });
    const multi = new k.Request("https://e.com/", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body: new TextEncoder().encode(multipart),
    });
    const form = await multi.formData();
    const file = form.get("file") as File;
    return [[...(await url.formData())], form.get("email"), file.name, await file.text()];
  });

  same("a FormData or Blob body: its type and bytes as Node makes them", async (k) => {
    const data = new FormData();
    data.set("email", new Blob(["ana@example.com"]), "email.txt");
    const r = new k.Request("https://e.com/", { method: "POST", body: data });
    const type = r.headers.get("content-type") ?? "";
    const form = await r.formData();
    const blob = new k.Response(new Blob(["x"], { type: "text/csv" }));
    return [
      type.startsWith("multipart/form-data; boundary="),
      (form.get("email") as File).name,
      blob.headers.get("content-type"),
      await blob.text(),
    ];
  });

  same("rebuilt with a new body (hono's body limit), and cloned", async (k) => {
    const r = new k.Request("https://e.com/x", {
      method: "POST",
      headers: { "x-a": "1" },
      body: "old",
    });
    const again = new k.Request(r, { body: new TextEncoder().encode("new") });
    const clone = again.clone();
    return [await view(again), await view(clone)];
  });
});

describe("installLightFetch", () => {
  const names = ["Headers", "Request", "Response"] as const;
  const saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)] as const);
  afterAll(() => {
    for (const [n, d] of saved) if (d) Object.defineProperty(globalThis, n, d);
  });

  it("puts the light classes in place, and they stay when Node's are loaded for a form", async () => {
    installLightFetch();
    expect(globalThis.Response).toBe(LightResponse);
    const form = await new Response("a=1", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }).formData();
    expect(form.get("a")).toBe("1");
    expect([globalThis.Headers, globalThis.Request, globalThis.Response]).toEqual([
      LightHeaders,
      LightRequest,
      LightResponse,
    ]);
  });
});

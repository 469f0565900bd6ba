/**
 * Light `Headers`, `Request` and `Response` for the web and admin Lambdas. Node defines the
 * fetch classes as globals that load its whole fetch implementation (undici) on first use,
 * 25 to 30 ms of CPU at a cold start; hono's Lambda adapter and its context use them on every
 * request. These do what an API Gateway request and a page, JSON,
 * redirect or file answer need, with the same results; anything else (a form body to parse, a
 * FormData or Blob body to make) is handed to Node's own classes, loaded then.
 * {@link installLightFetch} puts them in place of the globals; the entry files call it before
 * anything else runs (a Lambda process serves one function). Tested against Node's classes
 * in tests/unit/light-fetch.test.ts and through the bundles in tests/infra/bundles.test.ts.
 */

type Native = {
  Headers: typeof Headers;
  Request: typeof Request;
  Response: typeof Response;
};
/**
 * Node's own classes, read (and so loaded) only when one is needed: the globals' accessors as
 * they were when this module loaded, before {@link installLightFetch} replaced them.
 */
const native = {} as Native;
for (const name of ["Headers", "Request", "Response"] as const) {
  const own = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(native, name, {
    configurable: true,
    get: () => {
      // Node's accessor, once read, makes its class the global: the light one is put back.
      const current = Object.getOwnPropertyDescriptor(globalThis, name);
      const value = own?.get ? own.get.call(globalThis) : own?.value;
      if (current) Object.defineProperty(globalThis, name, current);
      Object.defineProperty(native, name, { value });
      return value;
    },
  });
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;

function headerName(name: string): string {
  const s = String(name);
  if (!TOKEN.test(s)) throw new TypeError(`Headers: "${s}" is an invalid header name.`);
  return s.toLowerCase();
}

function headerValue(value: string): string {
  const s = String(value).replace(EDGE_WHITESPACE, "");
  if (FORBIDDEN_IN_VALUE.test(s))
    throw new TypeError(`Headers: "${s}" is an invalid header value.`);
  return s;
}

type Init = Record<string, string> | [string, string][] | Iterable<[string, string]> | LightHeaders;

/** The Fetch standard's `Headers`: names case-insensitive, listed sorted, set-cookie kept apart. */
export class LightHeaders {
  readonly #map = new Map<string, string[]>();

  constructor(init?: Init | Headers | null) {
    if (init == null) return;
    if (typeof init !== "object") throw new TypeError("Headers: init must be an object");
    if (Symbol.iterator in init) {
      for (const pair of init as Iterable<[string, string]>) {
        const entry = [...(pair as Iterable<string>)];
        if (entry.length !== 2) throw new TypeError("Headers: a header needs a name and a value");
        this.append(entry[0] as string, entry[1] as string);
      }
    } else {
      for (const [name, value] of Object.entries(init)) this.append(name, value as string);
    }
  }

  append(name: string, value: string): void {
    const key = headerName(name);
    const v = headerValue(value);
    const list = this.#map.get(key);
    if (list) list.push(v);
    else this.#map.set(key, [v]);
  }

  set(name: string, value: string): void {
    this.#map.set(headerName(name), [headerValue(value)]);
  }

  get(name: string): string | null {
    return this.#map.get(headerName(name))?.join(", ") ?? null;
  }

  has(name: string): boolean {
    return this.#map.has(headerName(name));
  }

  delete(name: string): void {
    this.#map.delete(headerName(name));
  }

  getSetCookie(): string[] {
    return [...(this.#map.get("set-cookie") ?? [])];
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.#map.keys()].sort()) {
      const list = this.#map.get(name);
      if (!list) continue;
      if (name === "set-cookie") for (const v of list) yield [name, v];
      else yield [name, list.join(", ")];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(
    callback: (value: string, name: string, headers: LightHeaders) => void,
    thisArg?: unknown,
  ): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag]() {
    return "Headers";
  }
}

/** A body: text or bytes as given, or a stream (as given, or as Node's class made it). */
type Held = string | Uint8Array | null | { other: ReadableStream<Uint8Array> };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function hold(body: unknown, headers: LightHeaders): Held {
  if (body == null) return null;
  if (typeof body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
    return body;
  }
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) {
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
    }
    return body.toString();
  }
  const streamed = streams.get(body as object);
  if (streamed && !(body as ReadableStream).locked) {
    // As when a stream passes to a new body: the one it came from is used up.
    streamed.owner.markUsed();
    return streamed.held;
  }
  if (body instanceof ReadableStream) return { other: body };
  // Anything else (a form, a file, ...): Node's class makes the bytes and their type.
  const made = new native.Response(body as BodyInit);
  const type = made.headers.get("content-type");
  if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
  return made.body ? { other: made.body } : null;
}

/** The streams handed out by a light body's `body`: what each carries, and whose it is. */
const streams = new WeakMap<object, { held: Held; owner: LightBody }>();

/** Body reading shared by the light request and response. */
abstract class LightBody {
  #held: Held;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null = null;
  abstract readonly headers: LightHeaders;

  constructor(held: Held) {
    this.#held = held;
  }

  /** The same message as Node's class (loaded now), for what this one does not do itself. */
  protected abstract native(): Request | Response;

  protected get held(): Held {
    return this.#held;
  }

  /** A streamed body split in two, as `clone` does: this keeps one half, the other is returned. */
  protected tee(): ReadableStream<Uint8Array> | undefined {
    const held = this.#held;
    if (held === null || typeof held !== "object" || !("other" in held)) return undefined;
    const [mine, theirs] = held.other.tee();
    this.#held = { other: mine };
    this.#stream = null;
    return theirs;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  markUsed(): void {
    this.#used = true;
  }

  /** One stream, as the standard's `body` is, made when first asked for. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream) return this.#stream;
    const held = this.#held;
    if (held === null) return null;
    if (typeof held === "object" && "other" in held) {
      this.#stream = held.other;
      return this.#stream;
    }
    const bytes = typeof held === "string" ? encoder.encode(held) : held;
    this.#stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    streams.set(this.#stream, { held, owner: this });
    return this.#stream;
  }

  #take(): Held {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    return this.#held;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const held = this.#take();
    if (held === null) return new ArrayBuffer(0);
    if (typeof held === "object" && "other" in held) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of held.other as unknown as AsyncIterable<Uint8Array>) {
        chunks.push(chunk);
      }
      const all = Buffer.concat(chunks);
      return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    }
    const bytes = typeof held === "string" ? encoder.encode(held) : held;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    const held = this.#held;
    if (typeof held === "string") {
      this.#take();
      return held;
    }
    return decoder.decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    const type = this.headers.get("content-type") ?? "";
    return new Blob([await this.arrayBuffer()], { type });
  }

  async formData(): Promise<FormData> {
    const held = this.#take();
    if (typeof held === "object" && held !== null && "other" in held) {
      return this.native().formData();
    }
    const body = held === null ? null : held;
    return new native.Response(body as BodyInit | null, {
      headers: [...this.headers] as [string, string][],
    }).formData();
  }

  /** The body as Node's classes take it. */
  protected nativeBody(): BodyInit | null {
    const held = this.#held;
    if (typeof held === "object" && held !== null && "other" in held) return held.other as BodyInit;
    return held as BodyInit | null;
  }
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export class LightResponse extends LightBody {
  readonly status: number;
  readonly statusText: string;
  readonly headers: LightHeaders;
  readonly type = "default";
  readonly url = "";
  readonly redirected = false;

  constructor(body?: unknown, init: ResponseInit | LightResponse = {}) {
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    }
    const headers = new LightHeaders(init.headers as Init | undefined);
    if (body != null && NULL_BODY.has(status)) {
      throw new TypeError(`Response constructor: Invalid response status code ${status}`);
    }
    super(hold(body, headers));
    this.status = status;
    this.statusText = init.statusText ?? "";
    this.headers = headers;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  protected native(): Response {
    return new native.Response(this.nativeBody(), this);
  }

  clone(): LightResponse {
    if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    return new LightResponse(this.tee() ?? this.held, this);
  }

  static json(data: unknown, init: ResponseInit = {}): LightResponse {
    const headers = new LightHeaders(init.headers as Init | undefined);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new LightResponse(JSON.stringify(data), { ...init, headers });
  }

  static redirect(url: string | URL, status = 302): LightResponse {
    return new LightResponse(null, { status, headers: { location: new URL(url).href } });
  }

  static error(): Response {
    return native.Response.error();
  }
}

/** As the standard does: the six common methods in capitals, whatever their case; others as given. */
const METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return METHODS.has(upper) ? upper : method;
}

export class LightRequest extends LightBody {
  readonly url: string;
  readonly method: string;
  readonly headers: LightHeaders;
  readonly signal: AbortSignal;

  constructor(input: string | URL | LightRequest, init: RequestInit = {}) {
    const from = input instanceof LightRequest ? input : undefined;
    const headers = new LightHeaders((init.headers ?? from?.headers) as Init | undefined);
    const method = normalizeMethod(init.method ?? from?.method ?? "GET");
    const body = init.body !== undefined ? init.body : from ? (from.tee() ?? from.held) : null;
    if (body != null && (method === "GET" || method === "HEAD")) {
      throw new TypeError("Request with GET/HEAD method cannot have body.");
    }
    super(hold(body, headers));
    this.url = from ? from.url : new URL(String(input)).href;
    this.method = method;
    this.headers = headers;
    this.signal = init.signal ?? from?.signal ?? new AbortController().signal;
  }

  protected native(): Request {
    return new native.Request(this.url, {
      method: this.method,
      headers: [...this.headers] as [string, string][],
      body: this.nativeBody(),
      signal: this.signal,
      // A streamed body (never one API Gateway gives) needs it.
      ...({ duplex: "half" } as object),
    });
  }

  clone(): LightRequest {
    if (this.bodyUsed) throw new TypeError("Request.clone: Body has already been consumed.");
    return new LightRequest(this);
  }
}

/**
 * Puts the light classes in place of the global `Headers`, `Request` and `Response`; Node's
 * (not loaded yet) stay at hand for what the light ones hand over.
 */
export function installLightFetch(): void {
  const light = { Headers: LightHeaders, Request: LightRequest, Response: LightResponse };
  for (const [name, value] of Object.entries(light)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true });
  }
}

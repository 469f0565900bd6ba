import { createRequire } from "node:module";
import type { SendJob } from "../../functions/core/ports";
import { issueStamp, MIN_FILL_MS } from "../../functions/http/stamp";
import type { LocalStack } from "../../infra/local/stack";
import type { Consumed, RequestCounter } from "./io";

const require = createRequire(import.meta.url);
interface StoredEmail {
  destination: { to: string[] };
  body: { text?: string };
}
const sesStore = () =>
  (
    require("aws-ses-v2-local/dist/store") as {
      getStoreReadonly(): { emails: StoredEmail[] };
    }
  ).getStoreReadonly().emails;

/** DynamoDB requests (by kind) and capacity units of one step, per person. */
export interface StepCost {
  requests: Record<string, number>;
  consumed: Consumed;
}

/** What it takes to become a subscriber, step by step, per person. */
export interface SignupCost {
  /** POST /api/subscribe (web function). */
  signup: StepCost;
  /** The confirmation job (send function), its counters included. */
  confirmation: StepCost;
  /** GET /confirm from the email's link (web function). */
  confirmPage: StepCost;
  /** POST /confirm: active, welcome claimed and queued (web function). */
  confirm: StepCost;
}

const per = (snap: ReturnType<RequestCounter["snapshot"]>, n: number): StepCost => ({
  requests: Object.fromEntries(Object.entries(snap.byKind).map(([k, v]) => [k, v / n])),
  consumed: { read: snap.consumed.read / n, write: snap.consumed.write / n },
});

/**
 * `people` go the real way through the web app: sign up (own client address, ripe stamp), get
 * the confirmation email, open its link and press the button; each step's DynamoDB requests
 * are counted. Their welcome emails are claimed and held back: `release()` queues them.
 */
export async function signupProbe(stack: LocalStack, counter: RequestCounter, people: number) {
  const { deps } = stack;
  const ripe = deps.clock.now() - MIN_FILL_MS - 1000;
  const stamp = issueStamp({ tokens: deps.tokens, clock: { now: () => ripe } });
  const emails = Array.from({ length: people }, (_, i) => `probe${i}@example.com`);
  const headers = (i: number, type: string, length: number) => ({
    "content-type": type,
    "content-length": String(length),
    "user-agent": "bench",
    "x-forwarded-for": `10.9.${(i >> 8) & 255}.${i & 255}`,
  });
  const from = sesStore().length;

  const ms = { landing: 0, signup: 0, confirmPage: 0, confirm: 0 };
  let bytes = 0;
  const timed = async (step: keyof typeof ms, path: string, init: RequestInit) => {
    const t = performance.now();
    const res = await stack.app.request(path, init);
    const body = await res.arrayBuffer();
    ms[step] += (performance.now() - t) / people;
    bytes += body.byteLength / people;
    return res;
  };

  await stack.drain();
  for (const [i] of emails.entries()) {
    const res = await timed("landing", "/", { headers: headers(i, "text/html", 0) });
    if (res.status !== 200) throw new Error(`landing page answered ${res.status}`);
  }
  counter.reset();
  for (const [i, email] of emails.entries()) {
    const body = JSON.stringify({ email, firstName: "Ana", tz: "UTC", stamp });
    const res = await timed("signup", "/api/subscribe", {
      method: "POST",
      headers: headers(i, "application/json", Buffer.byteLength(body)),
      body,
    });
    if (res.status !== 202) throw new Error(`signup answered ${res.status}`);
  }
  const signup = per(counter.snapshot(), people);

  counter.reset();
  await stack.drain();
  const confirmation = per(counter.snapshot(), people);

  const links = new Map<string, string>();
  for (const e of sesStore().slice(from)) {
    const link = /https?:\/\/\S+?\/confirm\?t=[\w.~%-]+/.exec(e.body.text ?? "")?.[0];
    if (link) links.set(e.destination.to[0] ?? "", new URL(link).pathname + new URL(link).search);
  }
  const held: SendJob[] = [];
  const queue = deps.queue;
  deps.queue = { enqueue: async (jobs) => void held.push(...jobs) };
  const pageCounts = { requests: {} as Record<string, number>, read: 0, write: 0 };
  counter.reset();
  try {
    for (const [i, email] of emails.entries()) {
      const path = links.get(email);
      if (!path) throw new Error("a confirmation email did not arrive");
      const before = counter.snapshot();
      const shown = await timed("confirmPage", path, { headers: headers(i, "text/html", 0) });
      if (shown.status !== 200) throw new Error(`confirm page answered ${shown.status}`);
      const after = counter.snapshot();
      for (const [k, v] of Object.entries(after.byKind))
        pageCounts.requests[k] = (pageCounts.requests[k] ?? 0) + v - (before.byKind[k] ?? 0);
      pageCounts.read += after.consumed.read - before.consumed.read;
      pageCounts.write += after.consumed.write - before.consumed.write;
      const done = await timed("confirm", path, {
        method: "POST",
        headers: headers(i, "application/x-www-form-urlencoded", 0),
      });
      if (done.status >= 400) throw new Error(`confirm answered ${done.status}`);
    }
  } finally {
    deps.queue = queue;
  }
  const all = counter.snapshot();
  const confirmRequests: Record<string, number> = {};
  for (const [k, v] of Object.entries(all.byKind)) {
    const rest = v - (pageCounts.requests[k] ?? 0);
    if (rest) confirmRequests[k] = rest / people;
  }
  const cost: SignupCost = {
    signup,
    confirmation,
    confirmPage: {
      requests: Object.fromEntries(
        Object.entries(pageCounts.requests)
          .filter(([, v]) => v)
          .map(([k, v]) => [k, v / people]),
      ),
      consumed: { read: pageCounts.read / people, write: pageCounts.write / people },
    },
    confirm: {
      requests: confirmRequests,
      consumed: {
        read: (all.consumed.read - pageCounts.read) / people,
        write: (all.consumed.write - pageCounts.write) / people,
      },
    },
  };
  return {
    people,
    emails,
    perPerson: cost,
    /** Time per request of each step (ms, one at a time) and bytes served per person. */
    webMs: ms,
    webBytes: bytes,
    /** Queues the welcome emails the confirmations claimed. */
    release: () => queue.enqueue(held),
  };
}

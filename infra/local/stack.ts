import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { type Context, Hono } from "hono";
import { createMailer, mailbox } from "../../functions/adapters/mailer";
import { createStore } from "../../functions/adapters/store";
import { createTally, talliedStore } from "../../functions/adapters/tally";
import type { BreakerRule } from "../../functions/core/breaker";
import { claimBudget } from "../../functions/core/claims";
import type { Course } from "../../functions/core/content";
import type { Clock, Logger } from "../../functions/core/ports";
import { createTokens, parseKeyRing } from "../../functions/core/tokens";
import { dispatch } from "../../functions/funnel/drip";
import { createSender } from "../../functions/funnel/pace";
import { openSequences } from "../../functions/funnel/sequences";
import type { FunnelDeps } from "../../functions/funnel/subscriptions";
import { runJob } from "../../functions/funnel/worker";
import { loadGuide, loadPosePhotos } from "../../functions/guide/guide";
import { renderGuidePdf } from "../../functions/guide/pdf";
import type { AppDeps } from "../../functions/http/context";
import { createSiteApp, type SiteApp } from "../../functions/http/site-app";
import { staticFiles } from "../../functions/http/static-files";
import { createComposer } from "../../functions/mail/compose";
import { ensureCourse } from "../build/course";
import { systemClock } from "./clock";
import { type Emulator, startDynalite, startSes } from "./emulators";
import { localKeys } from "./keys";
import { createLocalQueue } from "./queue";
import { removeStackFile, writeStackFile } from "./stack-file";
import { ensureTable, TABLE_NAME } from "./table";

export interface LocalStackOptions {
  /** Web port (0 = any free port). */
  port?: number;
  /** Inbox (SES emulator) port. */
  sesPort?: number;
  /** Where dynalite keeps its data; undefined = in memory. */
  dataDir?: string;
  /** Length of one sequence day in seconds (86 400 in real life). */
  daySeconds?: number;
  contentDir?: string;
  clock?: Clock;
  logger?: Logger;
  /** Run the scheduler loop (tests call `tick()` themselves instead). */
  scheduler?: boolean;
  /** Scheduler interval; default: a sixteenth of a day, between 200 ms and 1 s. */
  tickMs?: number;
  /** Most emails per second (SES's MaxSendRate stand-in); default 14, SES's usual starting quota. */
  maxSendRate?: number;
  /** Signups per client (default 10/6s); "off" lifts the limit, e.g. for a benchmark. */
  signupRateLimit?: AppDeps["signupRateLimit"];
  /** How long a claim holds before its work falls due again (wall-clock ms); default 60 s. */
  leaseMs?: number;
  /** Send workers and retry timing of the in-process queue. */
  queue?: { concurrency?: number; baseDelayMs?: number; maxAttempts?: number };
  /** Where a request's client address comes from; default: the TCP connection. */
  clientIp?: AppDeps["clientIp"];
  /** How long sending halts after SES refuses the account (default 1 s, doubling to 30 s). */
  halt?: BreakerRule;
  /** Per-process SDK middleware hooks, e.g. fault injection in tests. */
  clients?: (c: { dynamo: DynamoDBClient; ses: SESv2Client }) => void;
}

export interface LocalStack {
  siteUrl: string;
  inboxUrl: string;
  dynamoEndpoint: string;
  /** The course being served now (it changes on {@link LocalStack.reload}). */
  readonly course: Course;
  /**
   * Loads `content/` again and serves it from the next request on: pages, emails, the
   * sequence and the guide. On bad content it throws ContentError and keeps the last good one.
   */
  reload(): Promise<void>;
  deps: AppDeps;
  /** The whole site: the public app and the owner's area, split by path as on AWS. */
  app: SiteApp;
  /** One scheduler run: dispatch everything due, then wait until the sends finish. */
  tick(): Promise<{ claimed: number }>;
  /** One dispatch without waiting for the sends (tests racing a send in flight). */
  dispatch(): Promise<{ claimed: number }>;
  /** Jobs waiting, running or scheduled for retry in the in-process queue. */
  queueSize(): number;
  /** Waits until queued sends have finished. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** The emulators accept any credentials; the SDK insists on having some. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const LOCAL_HALT: BreakerRule = { baseMs: 1000, maxMs: 30_000 };

/** The peer of the TCP connection; undefined for in-process requests (`app.request`). */
function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** One short line per event for a person watching `npm start`; plain requests stay quiet. */
function line(level: string, msg: string, data: Record<string, unknown> = {}): string | undefined {
  if (msg === "request" && Number(data.status) < 400) return undefined;
  const time = new Date().toTimeString().slice(0, 8);
  const fields = Object.entries(data).map(
    ([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`,
  );
  return [time, level === "info" ? "" : level.toUpperCase(), msg, ...fields]
    .filter(Boolean)
    .join(" ");
}

const consoleLogger: Logger = {
  info: (msg, data) => {
    const text = line("info", msg, data);
    if (text) console.log(text);
  },
  warn: (msg, data) => console.warn(line("warn", msg, data)),
  error: (msg, data) => console.error(line("error", msg, data)),
};

/**
 * The whole funnel in one process: dynalite, aws-ses-v2-local, the hono app and the drip
 * scheduler, all on 127.0.0.1, driven by the same domain code as the Lambdas.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? consoleLogger;
  const daySeconds = opts.daySeconds ?? 86_400;
  const dayMs = daySeconds * 1000;
  const contentDir = resolve(opts.contentDir ?? "content");
  // The same compiled course the Lambdas carry, built first if content or templates changed.
  const { course, emails } = await ensureCourse(contentDir);
  const keys = localKeys(opts.dataDir);

  const started: Emulator[] = [];
  let server: ServerType | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const db = await startDynalite(0, opts.dataDir ? join(opts.dataDir, "dynamodb") : undefined);
    started.push(db);
    const sesEmu = await startSes(opts.sesPort ?? 0);
    started.push(sesEmu);

    const region = "us-east-1";
    const dynamo = new DynamoDBClient({
      endpoint: db.endpoint,
      region,
      credentials: LOCAL_CREDENTIALS,
    });
    const ses = new SESv2Client({
      endpoint: sesEmu.endpoint,
      region,
      credentials: LOCAL_CREDENTIALS,
      // Every request passes the pacer's window; the queue, not the SDK, retries a send.
      maxAttempts: 1,
    });
    opts.clients?.({ dynamo, ses });
    await ensureTable(dynamo, TABLE_NAME);

    const doc = DynamoDBDocumentClient.from(dynamo, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const store = createStore(doc, TABLE_NAME);
    const { sender } = course.funnel;
    const rate = opts.maxSendRate ?? 14;
    // One sender for the whole process: the drip and the confirmations share its rate window.
    const mailer = createSender(
      createMailer(ses, { from: mailbox(sender.name, sender.email), replyTo: sender.replyTo }),
      { rate: () => rate, halt: opts.halt ?? LOCAL_HALT },
    );
    const tokens = createTokens(parseKeyRing(keys.tokenKey));

    // Start the web server first: links in emails must carry its real address.
    const shell = new Hono();
    server = serve({ fetch: shell.fetch, port: opts.port ?? 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve, reject) => {
      (server as ServerType).once("listening", resolve).once("error", reject);
    });
    const siteUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const composer = createComposer({ course, emails, siteUrl, tokens });
    const sequences = await openSequences({ course, store, logger, dayMs }, clock.now(), {
      resume: true,
    });
    const funnelDeps: Omit<FunnelDeps, "queue"> = {
      course,
      sequences,
      store,
      mailer,
      composer,
      clock,
      logger,
      dayMs,
      // A claim holds for a minute of wall time, whatever the sequence clock's speed.
      leaseMs: opts.leaseMs ?? 60_000,
      idKey: keys.idKey,
    };
    // The send workers count through one tally, written once a second and whenever the queue
    // drains: a burst of sends costs a few counter writes, not three per email (as on AWS,
    // where the send function writes its tally once per batch).
    const tally = createTally(store.counters);
    const workerStore = talliedStore(store, tally);
    const flushCounts = () =>
      tally
        .flush()
        .catch((e) => logger.error("counters not written", { error: (e as Error).name }));
    const queue = createLocalQueue(
      (job) => runJob({ ...funnelDeps, store: workerStore, queue, siteUrl }, job),
      {
        // Enough jobs in hand that one taking up to a second (a busy machine) never holds the
        // sender below its rate: the sender, not the worker count, sets the pace.
        concurrency: opts.queue?.concurrency ?? Math.max(8, Math.ceil(rate)),
        baseDelayMs: opts.queue?.baseDelayMs ?? 200,
        maxAttempts: opts.queue?.maxAttempts ?? 6,
        logger,
      },
    );
    let guide: Promise<Uint8Array> | undefined;
    let guideData = loadGuide(contentDir);
    const deps: AppDeps = {
      ...funnelDeps,
      queue,
      tokens,
      clientIp: opts.clientIp ?? socketAddress,
      signupRateLimit: opts.signupRateLimit,
      siteUrl,
      guidePdf: () => {
        // The printed address is the public one from content, never this local server's.
        guide ??= (async () => {
          const { funnel } = deps.course;
          const brand = { ...funnel.brand, siteUrl: funnel.siteUrl };
          const photos = loadPosePhotos(contentDir, guideData);
          return renderGuidePdf(guideData, brand, { photos });
        })().catch((e) => {
          guide = undefined;
          throw e;
        });
        return guide;
      },
      ready: async () => {
        await store.get("healthz");
        const res = await fetch(`${sesEmu.endpoint}/health-check`);
        if (!res.ok) throw new Error("inbox not ready");
      },
    };
    const app = createSiteApp(deps);
    shell.use("/media/*", serveStatic({ root: contentDir }));
    // Fonts and browser scripts; on AWS the same files come from the bucket under /static/.
    shell.get("/static/*", (c) => {
      const file = staticFiles().get(c.req.path);
      if (!file) return c.notFound();
      c.header("Cache-Control", "public, max-age=3600");
      return c.body(new Uint8Array(file.body), 200, { "Content-Type": file.type });
    });
    shell.all("*", (c) => app.fetch(c.req.raw, c.env));
    // Unknown static files get the app's own "not found" page, as they do on AWS.
    shell.notFound((c) => app.fetch(c.req.raw, c.env));

    // One sender in this process: claims stop at what it can send in half a lease.
    // A function: a content reload swaps the course (and so `paused`) in `deps`.
    const dispatchDeps = () => ({
      ...deps,
      paused: deps.course.funnel.sequence.paused === true,
      budget: async () =>
        claimBudget({
          accountRate: rate,
          senders: 1,
          leaseMs: funnelDeps.leaseMs,
          backlog: queue.size(),
        }),
    });
    const drain = async () => {
      await queue.drain();
      await flushCounts();
    };
    const counting = setInterval(flushCounts, 1000);
    counting.unref();
    const tick = async () => {
      const result = await dispatch(dispatchDeps(), clock.now());
      await drain();
      return result;
    };
    if (opts.scheduler) {
      const every = opts.tickMs ?? Math.min(1000, Math.max(200, dayMs / 16));
      let running = false;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        dispatch(dispatchDeps(), clock.now())
          .catch((e) => logger.error("dispatch failed", { error: (e as Error).name }))
          .finally(() => {
            running = false;
          });
      }, every);
    }

    const httpServer = server;
    if (opts.dataDir) {
      writeStackFile(opts.dataDir, {
        pid: process.pid,
        dynamoEndpoint: db.endpoint,
        siteUrl,
        inboxUrl: sesEmu.endpoint,
        tableName: TABLE_NAME,
      });
    }
    /**
     * Loads `content/` again and swaps it in: pages, emails, the sequence and the guide.
     * Throws ContentError for bad content, and then changes nothing.
     */
    const reload = async () => {
      const next = await ensureCourse(contentDir);
      const nextGuide = loadGuide(contentDir);
      const nextComposer = createComposer({ ...next, siteUrl, tokens });
      const nextSequences = await openSequences(
        { course: next.course, store, logger, dayMs },
        clock.now(),
        { resume: true },
      );
      const swap = { course: next.course, composer: nextComposer, sequences: nextSequences };
      Object.assign(funnelDeps, swap);
      Object.assign(deps, swap);
      guideData = nextGuide;
      guide = undefined;
    };

    return {
      siteUrl,
      inboxUrl: sesEmu.endpoint,
      dynamoEndpoint: db.endpoint,
      get course() {
        return deps.course;
      },
      reload,
      deps,
      app,
      tick,
      dispatch: () => dispatch(dispatchDeps(), clock.now()),
      queueSize: () => queue.size(),
      drain,
      async stop() {
        if (timer) clearInterval(timer);
        clearInterval(counting);
        if (opts.dataDir) removeStackFile(opts.dataDir);
        // Running jobs finish before the table and the SES stand-in close under them.
        await queue.stop();
        await flushCounts();
        const closed = new Promise<void>((r) => httpServer.close(() => r()));
        // Browsers keep idle connections open; they must not hold the shutdown.
        if ("closeAllConnections" in httpServer) httpServer.closeAllConnections();
        await closed;
        dynamo.destroy();
        ses.destroy();
        for (const e of started.reverse()) await e.close();
      },
    };
  } catch (e) {
    if (timer) clearInterval(timer);
    server?.close();
    for (const emu of started.reverse()) await emu.close();
    throw e;
  }
}

import { fileURLToPath } from "node:url";
import { HTTPException } from "hono/http-exception";
import type { JobQueue, Logger } from "../core/ports";
import { DAY_MS } from "../core/schedule";
import { followKeys } from "../core/tokens";
import type { DripDeps } from "../funnel/drip";
import type { Sender } from "../funnel/pace";
import { openSequences } from "../funnel/sequences";
import type { AppDeps } from "../http/context";
import { readCompiledCourse } from "../mail/compiled";
import { createComposer } from "../mail/compose";
import { ORIGIN_SECRET_HEADER, readEnv, VIEWER_IP_HEADER } from "./env";
import { createLogger } from "./logger";
import { originSecrets, previousValueWarning } from "./origin-secret";
import { freshTokenKey, idKey, secretsClient, tokenKey } from "./secrets";
import { sendQueue } from "./sqs";
import { clock, LEASE_MS, originSecretArn, subscriberStore } from "./wiring";

/**
 * The compiled course (content and emails rendered at build time) is copied next to the
 * bundle by the stack's afterBundling hook; it is the same file `npm start` loads.
 */
const courseFile = () => fileURLToPath(new URL("./course.json", import.meta.url));

/**
 * The web function never sends: every email (confirmations, owners' sign-in links and tests)
 * is a job on the send queue, so the send workers alone share the account's SES rate. A call
 * is a loud error, never a send outside the budget.
 */
const noSender: Sender = {
  deliver: () => Promise.reject(new Error("this function never sends: queue a send job")),
  send: () => Promise.reject(new Error("this function never sends: queue a send job")),
  hold: () => {},
  window: () => [],
};

/**
 * Everything the send path needs (the web function's too, which queues every email instead:
 * it imports no SES client): course, store, SES mailer, composer with signed links, and
 * the published orders (the course's own is published at cold start; the send worker also
 * offers lessons appended since to completed subscribers).
 */
export async function sending(
  queue: JobQueue,
  resume: boolean,
  mailer: (logger: Logger) => Promise<Sender>,
) {
  const { course, emails } = readCompiledCourse(courseFile());
  const { SITE_URL } = readEnv(["SITE_URL"]);
  const { logger } = createLogger();
  const store = subscriberStore();
  // Independent reads, so a cold start waits for the slowest of them rather than their sum.
  const [key, sequences, sender] = await Promise.all([
    tokenKey(),
    openSequences({ course, store, logger, dayMs: DAY_MS }, clock.now(), { resume }),
    mailer(logger),
  ]);
  // A link signed with a key rotated in since this start is verified after one more read of
  // the secret (at most one a minute), rather than refused until the instance is replaced.
  const tokens = followKeys(
    key,
    () =>
      freshTokenKey().catch((e: Error) => {
        logger.warn("link keys could not be read again", { error: e.name });
        throw e;
      }),
    clock,
  );
  const deps: DripDeps = {
    course,
    sequences,
    store,
    mailer: sender,
    composer: createComposer({ course, emails, siteUrl: SITE_URL, tokens }),
    queue,
    clock,
    logger,
    dayMs: DAY_MS,
    leaseMs: LEASE_MS,
  };
  return { deps, tokens };
}

/**
 * The web app's collaborators (the public app's and the owner's area's, each in its own
 * function: see ./admin-deps.ts). The guide PDF is served by CloudFront from S3, never here.
 * Always behind the front door: no variable or header turns the origin check off here.
 */
export async function webDeps(): Promise<AppDeps> {
  const { logger } = createLogger();
  const [{ deps, tokens }, key, secrets] = await Promise.all([
    sending(sendQueue(), false, async () => noSender),
    idKey(),
    originSecrets(secretsClient(), originSecretArn(), clock, logger),
  ]);
  return {
    ...deps,
    tokens,
    idKey: key,
    siteUrl: readEnv(["SITE_URL"]).SITE_URL,
    // CloudFront sends /guide/* to S3; a request that reaches the API directly gets a 404.
    guidePdf: () => Promise.reject(new HTTPException(404)),
    // CloudFront adds the secret to every request it forwards; its viewer-request function
    // sets the client's address from the connection, replacing any value the client sent.
    frontDoor: {
      secretHeader: ORIGIN_SECRET_HEADER,
      clientIpHeader: VIEWER_IP_HEADER,
      secrets,
      onPrevious: previousValueWarning(clock, logger),
    },
    ready: async () => {
      await deps.store.get("healthz");
    },
  };
}

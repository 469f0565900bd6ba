import * as z from "zod/mini";
import { lazy } from "../core/lazy";
import type {
  ConfirmJob,
  DataLinksJob,
  SendJob,
  SigninJob,
  StepJob,
  TestSendJob,
  WakeJob,
} from "../core/ports";

// Each schema is built on first use (see ../core/lazy): a dispatcher tick that claims nothing
// validates no job.
const sid = lazy(() => z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)));

const StepJobSchema = lazy(() =>
  z.strictObject({
    kind: z.literal("step"),
    sid: sid(),
    email: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,100}$/))),
    lease: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
  }),
);

const ConfirmJobSchema = lazy(() =>
  z.strictObject({
    kind: z.literal("confirm"),
    sid: sid(),
    signedUpAt: z.optional(z.number().check(z.int(), z.positive())),
  }),
);

const DataLinksJobSchema = lazy(() =>
  z.strictObject({
    kind: z.literal("data-links"),
    sid: sid(),
    generation: z.number().check(z.int(), z.nonnegative()),
  }),
);

/** The hash of an owner's address (SHA-256, base64url). */
const owner = lazy(() => z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)));

const SigninJobSchema = lazy(() => z.strictObject({ kind: z.literal("signin"), owner: owner() }));

const TestSendJobSchema = lazy(() =>
  z.strictObject({
    kind: z.literal("test"),
    owner: owner(),
    email: z.string().check(z.regex(/^[a-z0-9-]{1,100}$/)),
  }),
);

const WakeJobSchema = lazy(() => z.strictObject({ kind: z.literal("wake") }));

const sendJobSchema = lazy(() =>
  z.discriminatedUnion("kind", [
    StepJobSchema(),
    ConfirmJobSchema(),
    DataLinksJobSchema(),
    SigninJobSchema(),
    TestSendJobSchema(),
    WakeJobSchema(),
  ]),
);

/**
 * A send job as it travels through the queue: the producer (dispatch, signup) validates with
 * it before enqueueing and the consumer (the send worker) parses every message with it.
 * Throws zod's error for anything else.
 */
export const SendJobSchema = {
  parse: (value: unknown): SendJob => sendJobSchema().parse(value),
};

/**
 * Jobs a person is waiting for at a screen, a few at most (an owner's sign-in link or test,
 * each behind the owner's session or the one-a-minute sign-in mail gap; a subscriber's data
 * links, behind the mailbox's one-per-10-minutes throttle): they go ahead of the drip, so a
 * backlog of lessons never holds up a link that works for minutes or an hour.
 */
export const isUrgent = (job: SendJob): boolean =>
  job.kind === "signin" || job.kind === "test" || job.kind === "data-links";

// The schema and the port's types must describe the same jobs, both ways.
type Parsed = z.infer<ReturnType<typeof sendJobSchema>>;
true satisfies Parsed extends SendJob ? (SendJob extends Parsed ? true : false) : false;
true satisfies z.infer<ReturnType<typeof StepJobSchema>> extends StepJob ? true : false;
true satisfies z.infer<ReturnType<typeof ConfirmJobSchema>> extends ConfirmJob ? true : false;
true satisfies z.infer<ReturnType<typeof DataLinksJobSchema>> extends DataLinksJob ? true : false;
true satisfies z.infer<ReturnType<typeof SigninJobSchema>> extends SigninJob ? true : false;
true satisfies z.infer<ReturnType<typeof TestSendJobSchema>> extends TestSendJob ? true : false;
true satisfies z.infer<ReturnType<typeof WakeJobSchema>> extends WakeJob ? true : false;

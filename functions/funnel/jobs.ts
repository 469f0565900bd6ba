import * as z from "zod/mini";
import type { ConfirmJob, SendJob, StepJob } from "../core/ports";

const sid = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));

const StepJobSchema = z.strictObject({
  kind: z.literal("step"),
  sid,
  email: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,100}$/))),
  lease: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
});

const ConfirmJobSchema = z.strictObject({
  kind: z.literal("confirm"),
  sid,
});

/**
 * A send job as it travels through the queue: the producer (dispatch, signup) validates with
 * it before enqueueing and the consumer (the send worker) parses every message with it.
 */
export const SendJobSchema = z.discriminatedUnion("kind", [StepJobSchema, ConfirmJobSchema]);

// The schema and the port's types must describe the same jobs, both ways.
type Parsed = z.infer<typeof SendJobSchema>;
true satisfies Parsed extends SendJob ? (SendJob extends Parsed ? true : false) : false;
true satisfies z.infer<typeof StepJobSchema> extends StepJob ? true : false;
true satisfies z.infer<typeof ConfirmJobSchema> extends ConfirmJob ? true : false;

import { z } from "zod";

/** A send job as it travels through the queue; validated on the way in. */
export const SendJobSchema = z.strictObject({
  sid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  step: z.number().int().min(0).max(1000),
  lease: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
});

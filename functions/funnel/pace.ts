import type { Mailer } from "../adapters/mailer";
import { type Bucket, type BucketRule, take } from "../core/token-bucket";

export interface PaceOptions {
  /** Wall-clock milliseconds (pacing is real time, whatever the sequence clock does). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Wraps a mailer so that all sends through it together stay under `rule().rate` per second
 * (SES's account-wide MaxSendRate, or this sender's share of it). `rule` is read per send,
 * so a refreshed quota applies at once.
 * @example const mailer = paced(createMailer(ses, opts), () => ({ rate: 14, burst: 14 }));
 */
export function paced(mailer: Mailer, rule: () => BucketRule, opts: PaceOptions = {}): Mailer {
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? wait;
  let bucket: Bucket | undefined;
  return {
    ...mailer,
    async send(email) {
      for (;;) {
        const r = take(bucket, rule(), now());
        bucket = r.bucket;
        if (r.waitMs === 0) break;
        await sleep(r.waitMs);
      }
      return mailer.send(email);
    },
  };
}

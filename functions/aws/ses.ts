import { SESv2Client } from "@aws-sdk/client-sesv2";
import { lambdaClientConfig, once } from "./clients";

/**
 * The SES v2 client of this instance (see ./clients.ts for why it has a module of its own).
 * One attempt per call: every request to SES passes the pacer's rate window, and a throttled
 * or failed send is retried by the queue, not by the SDK behind the window's back.
 */
export const sesClient = once(() => new SESv2Client({ ...lambdaClientConfig(), maxAttempts: 1 }));

import { SESv2Client } from "@aws-sdk/client-sesv2";
import { once } from "./clients";

/** The SES v2 client of this instance (see ./clients.ts for why it has a module of its own). */
export const sesClient = once(() => new SESv2Client({}));

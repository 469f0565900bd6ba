import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: { name: string; value: string }[];
}

export interface MailerOptions {
  /** `Name <address>` */
  from: string;
  replyTo?: string;
  /** SES configuration set (suppression, event destinations); absent locally. */
  configurationSetName?: string;
}

/**
 * `Name <address>` as a header-safe mailbox: a display name outside printable ASCII becomes an
 * RFC 2047 encoded-word (SES refuses raw non-ASCII in From), quotes and backslashes are escaped.
 */
export function mailbox(name: string, address: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: header injection guard
  const clean = name.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  if (!clean) return address;
  if (/^[\x20-\x7e]*$/.test(clean)) return `"${clean.replace(/(["\\])/g, "\\$1")}" <${address}>`;
  return `=?UTF-8?B?${Buffer.from(clean, "utf8").toString("base64")}?= <${address}>`;
}

export { classifySendError, type SendFailureKind } from "../core/refusals";

/** The SDK's last step before its HTTP handler (after signing), once per attempt. */
const HANDED_TO_HTTP = { step: "finalizeRequest", priority: "low", name: "requestLeaves" } as const;

/**
 * Requests whose leaving someone waits to hear of, by their signature (unique per request).
 * The HTTP client announces each request it creates (`http.client.request.start`); the one
 * with a waiting signature calls back once it is written to the network (`finish`): the moment
 * SES counts, give or take the network, however long the SDK took to get there.
 */
const awaited = new Map<string, (() => void)[]>();
const authorizationOf = (args: unknown) =>
  (args as { request?: { headers?: Record<string, string> } }).request?.headers?.authorization;

function onRequestStart(message: unknown) {
  const request = (message as { request?: ClientRequest }).request;
  const signature = request?.getHeader("authorization");
  const list = typeof signature === "string" ? awaited.get(signature) : undefined;
  const written = list?.shift();
  if (!written || !request) return;
  if (list?.length === 0) awaited.delete(signature as string);
  request.once("finish", written);
}

/** Calls `leaves` as the request of `args` is written (at the latest as its answer comes). */
function timedRequest(leaves: () => void) {
  return <I, O>(next: (args: I) => Promise<O>) =>
    async (args: I) => {
      let told = false;
      const once = () => {
        if (told) return;
        told = true;
        leaves();
      };
      const signature = authorizationOf(args);
      if (signature) {
        listen();
        awaited.set(signature, [...(awaited.get(signature) ?? []), once]);
      }
      try {
        return await next(args);
      } finally {
        if (signature) {
          const rest = (awaited.get(signature) ?? []).filter((f) => f !== once);
          if (rest.length > 0) awaited.set(signature, rest);
          else awaited.delete(signature);
        }
        // Never announced (another HTTP client) or failed while being written: it may have
        // left, so it counts from now.
        once();
      }
    };
}

const REQUEST_START = "http.client.request.start";
let listening = false;
const listen = () => {
  if (listening) return;
  listening = true;
  subscribe(REQUEST_START, onRequestStart);
};

/**
 * Sends one email through SES v2 (Simple content with custom headers). `leaves` is called as
 * each request (each attempt) is written to the network, or, if that cannot be seen, when its
 * answer comes: the pacer counts its rate window at that moment (functions/funnel/pace.ts).
 * Not called if the call failed before its request was handed to HTTP.
 * @example await createMailer(ses, { from: "Ana <hi@example.com>" }).send(email) // -> messageId
 */
export function createMailer(ses: SESv2Client, opts: MailerOptions) {
  return {
    async send(email: OutgoingEmail, leaves?: () => void): Promise<string> {
      const command = new SendEmailCommand({
        FromEmailAddress: opts.from,
        ReplyToAddresses: opts.replyTo ? [opts.replyTo] : undefined,
        Destination: { ToAddresses: [email.to] },
        ConfigurationSetName: opts.configurationSetName,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: "UTF-8" },
            Body: {
              Html: { Data: email.html, Charset: "UTF-8" },
              Text: { Data: email.text, Charset: "UTF-8" },
            },
            Headers: email.headers?.length
              ? email.headers.map((h) => ({ Name: h.name, Value: h.value }))
              : undefined,
          },
        },
      });
      if (leaves) {
        command.middlewareStack.add(timedRequest(leaves), HANDED_TO_HTTP);
      }
      const out = await ses.send(command);
      if (!out.MessageId) throw new Error("SES accepted the message without a MessageId");
      return out.MessageId;
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;

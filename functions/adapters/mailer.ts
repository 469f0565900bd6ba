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

/**
 * Sends one email through SES v2 (Simple content with custom headers).
 * @example await createMailer(ses, { from: "Ana <hi@example.com>" }).send(email) // -> messageId
 */
export function createMailer(ses: SESv2Client, opts: MailerOptions) {
  return {
    async send(email: OutgoingEmail): Promise<string> {
      const out = await ses.send(
        new SendEmailCommand({
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
        }),
      );
      if (!out.MessageId) throw new Error("SES accepted the message without a MessageId");
      return out.MessageId;
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;

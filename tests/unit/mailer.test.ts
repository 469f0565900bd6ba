import { describe, expect, it } from "vitest";
import { classifySendError, mailbox, type SendFailureKind } from "../../functions/adapters/mailer";

/** An error shaped like the SDK's service exceptions: a name and the HTTP status. */
function sesError(name: string, httpStatusCode?: number): Error {
  const error = new Error(`${name} from SES`);
  error.name = name;
  return Object.assign(
    error,
    httpStatusCode === undefined ? {} : { $metadata: { httpStatusCode } },
  );
}

/** A MessageRejected with SES's wording. */
const rejected = (message: string) =>
  Object.assign(new Error(message), {
    name: "MessageRejected",
    $metadata: { httpStatusCode: 400 },
  });

describe("classifySendError", () => {
  it.each<[label: string, error: unknown, expected: SendFailureKind]>([
    ["TooManyRequestsException 429", sesError("TooManyRequestsException", 429), "throttled"],
    ["TooManyRequestsException without status", sesError("TooManyRequestsException"), "throttled"],
    ["ThrottlingException 400", sesError("ThrottlingException", 400), "throttled"],
    ["Throttling 400", sesError("Throttling", 400), "throttled"],
    ["LimitExceededException 400", sesError("LimitExceededException", 400), "throttled"],
    ["SendingPausedException 400", sesError("SendingPausedException", 400), "account"],
    ["unnamed HTTP 429", { $metadata: { httpStatusCode: 429 } }, "throttled"],
    ["unknown name with HTTP 429", sesError("SomethingNew", 429), "throttled"],
    ["HTTP 454 (SMTP throttling)", sesError("ServiceUnavailable", 454), "throttled"],
    ["MessageRejected 400", sesError("MessageRejected", 400), "recipient"],
    ["MessageRejected without status", sesError("MessageRejected"), "recipient"],
    [
      "MessageRejected: sender identity not verified",
      rejected(
        "Email address is not verified. The following identities failed the check in region EU-WEST-1: hello@hips.example",
      ),
      "account",
    ],
    [
      "MessageRejected: identity wording without a list",
      rejected("Sending identity is disabled"),
      "account",
    ],
    [
      "MessageRejected: only the recipient is unverified (sandbox)",
      rejected(
        "Email address is not verified. The following identities failed the check in region EU-WEST-1: ana@example.com",
      ),
      "recipient",
    ],
    [
      "MessageRejected: sender and recipient unverified",
      rejected(
        "Email address is not verified. The following identities failed the check in region EU-WEST-1: hello@hips.example, ana@example.com",
      ),
      "account",
    ],
    ["BadRequestException 400", sesError("BadRequestException", 400), "recipient"],
    [
      "MailFromDomainNotVerifiedException 400",
      sesError("MailFromDomainNotVerifiedException", 400),
      "account",
    ],
    ["NotFoundException 404 (configuration set)", sesError("NotFoundException", 404), "account"],
    [
      "ConfigurationSetDoesNotExistException",
      sesError("ConfigurationSetDoesNotExistException", 400),
      "account",
    ],
    ["AccountSuspendedException 400", sesError("AccountSuspendedException", 400), "account"],
    ["AccessDeniedException 403", sesError("AccessDeniedException", 403), "account"],
    ["AccessDenied without status", sesError("AccessDenied"), "account"],
    ["unnamed 401", { $metadata: { httpStatusCode: 401 } }, "account"],
    ["unknown name with 403", sesError("Unknown", 403), "account"],
    ["other 400", sesError("ValidationError", 400), "recipient"],
    ["unnamed 413", { $metadata: { httpStatusCode: 413 } }, "recipient"],
    ["499", { $metadata: { httpStatusCode: 499 } }, "recipient"],
    ["500", sesError("InternalFailure", 500), "transient"],
    ["502", { $metadata: { httpStatusCode: 502 } }, "transient"],
    ["503", sesError("ServiceUnavailable", 503), "transient"],
    ["3xx", { $metadata: { httpStatusCode: 301 } }, "transient"],
    [
      "network reset",
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      "transient",
    ],
    ["timeout", sesError("TimeoutError"), "transient"],
    ["plain Error", new Error("boom"), "transient"],
    ["$metadata without a status", { name: "X", $metadata: {} }, "transient"],
    ["a string", "boom", "transient"],
    ["undefined", undefined, "transient"],
    ["null", null, "transient"],
  ])("%s -> %s", (_label, error, expected) => {
    expect(classifySendError(error, "ana@example.com")).toBe(expected);
  });
});

const ADDRESS = "hello@healthy-hips.example";

/** Decodes `=?UTF-8?B?...?= <address>` back to its name and address. */
function decode(header: string): { name: string; address: string } {
  const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/]+={0,2})\?= <([^<>]+)>$/.exec(header);
  if (!match?.[1] || !match[2]) throw new Error(`not an encoded-word mailbox: ${header}`);
  return { name: Buffer.from(match[1], "base64").toString("utf8"), address: match[2] };
}

describe("mailbox: ASCII names are quoted and escaped", () => {
  it.each([
    ["Ana", `"Ana" <${ADDRESS}>`],
    ["Healthy Hips", `"Healthy Hips" <${ADDRESS}>`],
    ["Ana, yoga teacher", `"Ana, yoga teacher" <${ADDRESS}>`],
    ["Ana (Healthy Hips)", `"Ana (Healthy Hips)" <${ADDRESS}>`],
    ['Ana "Hips" Lee', `"Ana \\"Hips\\" Lee" <${ADDRESS}>`],
    ["Back\\slash", `"Back\\\\slash" <${ADDRESS}>`],
    ['"\\', `"\\"\\\\" <${ADDRESS}>`],
    ["  Ana  ", `"Ana" <${ADDRESS}>`],
    ["Ana\r\nBcc: all@example.org", `"Ana Bcc: all@example.org" <${ADDRESS}>`],
    ["Ana\nBcc: all@example.org", `"Ana Bcc: all@example.org" <${ADDRESS}>`],
    ["Ana\u0000\u0007\u007fLee", `"Ana Lee" <${ADDRESS}>`],
    ["Ana\tLee", `"Ana Lee" <${ADDRESS}>`],
  ])("%j -> %s", (name, expected) => {
    expect(mailbox(name, ADDRESS)).toBe(expected);
  });
});

describe("mailbox: empty names give the bare address", () => {
  it.each([[""], [" "], ["\r\n"], ["\t \u0000 "]])("%j", (name) => {
    expect(mailbox(name, ADDRESS)).toBe(ADDRESS);
  });
});

describe("mailbox: non-ASCII names become an RFC 2047 encoded-word", () => {
  it.each([
    ["Zoë", "Zoë"],
    ["Café Yoga", "Café Yoga"],
    ["Ana 🌸", "Ana 🌸"],
    ["مريم", "مريم"],
    ["李小龍", "李小龍"],
    ['Zoë "Hips"', 'Zoë "Hips"'],
    ["Zoë\r\nBcc: all@example.org", "Zoë Bcc: all@example.org"],
    ["  Zoë  ", "Zoë"],
  ])("%j decodes back to %j", (name, expected) => {
    const header = mailbox(name, ADDRESS);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(decode(header)).toEqual({ name: expected, address: ADDRESS });
  });
});

describe("mailbox: no line break ever reaches the header", () => {
  it.each(["Ana\r\nBcc: x@example.org", "\r\n\r\nbody", "Zoë\rX-Injected: 1", "Ana\n\n", "\u0000"])(
    "%j",
    (name) => {
      const codes = [...mailbox(name, ADDRESS)].map((c) => c.charCodeAt(0));
      expect(codes.filter((code) => code < 0x20 || code === 0x7f)).toEqual([]);
    },
  );
});

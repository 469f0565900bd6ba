/**
 * What an SES refusal means for the list. Pure: it reads the error's name, HTTP status and
 * message, never an SDK class, so it is the same in every bundle and in tests.
 * - `recipient`: this address cannot be mailed (a bad or refused recipient): skip this email
 *   for this subscriber and record it.
 * - `account`: the account or its configuration refuses everything (sending paused or
 *   suspended, identity or MAIL FROM not verified, a missing configuration set, denied by
 *   IAM): skip nobody, halt all sending and alarm.
 * - `throttled`: over the send rate; retry after a backoff.
 * - `transient`: timeouts, network and server errors; retry after a backoff.
 */
export type SendFailureKind = "throttled" | "transient" | "recipient" | "account";

const THROTTLE_NAMES = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "Throttling",
  "LimitExceededException",
]);
const ACCOUNT_NAMES = new Set([
  "AccountSuspendedException",
  "SendingPausedException",
  "MailFromDomainNotVerifiedException",
  "ConfigurationSetDoesNotExistException",
  // SendEmail's only NotFound is a named resource that is gone: the configuration set.
  "NotFoundException",
  "AccessDenied",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
]);
/** SES's wording when an identity (the sender's, or in the sandbox a recipient's) fails its check. */
const NOT_VERIFIED = /not verified|identit(y|ies)/i;

interface ErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Classifies a failed SES send. `recipient` is the address the email was for: a "not
 * verified" rejection that names only that address (the SES sandbox refusing an unverified
 * recipient) is about the recipient, any other identity wording is about the account.
 * @example classifySendError({ name: "SendingPausedException" }) // "account"
 */
export function classifySendError(error: unknown, recipient?: string): SendFailureKind {
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorShape;
  const name = typeof e.name === "string" ? e.name : "";
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLE_NAMES.has(name) || status === 429 || status === 454) return "throttled";
  if (ACCOUNT_NAMES.has(name) || status === 401 || status === 403) return "account";
  if (name === "MessageRejected") {
    const message = typeof e.message === "string" ? e.message : "";
    if (!NOT_VERIFIED.test(message)) return "recipient";
    return onlyNames(message, recipient) ? "recipient" : "account";
  }
  if (name === "BadRequestException") return "recipient";
  if (status !== undefined && status >= 400 && status < 500) return "recipient";
  return "transient";
}

/** True when the rejection's list of failed identities is exactly the recipient's address. */
function onlyNames(message: string, recipient: string | undefined): boolean {
  if (!recipient) return false;
  const listed = message.split(":").slice(1).join(":");
  const addresses = listed.match(/[^\s,<>]+@[^\s,<>]+/g) ?? [];
  const bare = (a: string) => a.replace(/[.;]+$/, "").toLowerCase();
  return addresses.length > 0 && addresses.every((a) => bare(a) === recipient.toLowerCase());
}

/**
 * A send that should be tried again later (throttling, timeouts, sending halted): nothing was
 * recorded, the claim still holds. `retryInMs` is when trying again makes sense, if known.
 */
export class RetryableSendError extends Error {
  override name = "RetryableSendError";
  constructor(message: string, options?: { cause?: unknown; retryInMs?: number }) {
    super(message, options);
    this.retryInMs = options?.retryInMs;
  }
  readonly retryInMs: number | undefined;
}

/** Sending is halted (SES refused the account); no SES call was made for this job. */
export class SendingHaltedError extends RetryableSendError {
  override name = "SendingHaltedError";
}

/**
 * SES refused the account or its configuration (sending paused, identity not verified, a
 * missing configuration set, access denied). Nobody is skipped: the job is retried once
 * sending resumes. It must reach a person: the send Lambda fails its invocation for it.
 */
export class AccountRefusedError extends RetryableSendError {
  override name = "AccountRefusedError";
}

/**
 * This instance holds no send slot (all are held, or its lease ran out): no SES call was made.
 * Handled as a halt: the job is retried later, and a drip step's claim falls due again.
 */
export class NoSendSlotError extends SendingHaltedError {
  override name = "NoSendSlotError";
}

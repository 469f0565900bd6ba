/** The time source every rule is given; tests move it by hand, `npm start` may run it fast. */
export interface Clock {
  now(): number;
}

/** Structured logs. Callers never pass email addresses or tokens. */
export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/**
 * Drip work: subscriber `sid`, email `email` (the id the claim was made for; absent for items
 * written before ids), claimed under `lease`.
 */
export interface StepJob {
  kind: "step";
  sid: string;
  email?: string;
  lease: string;
}

/** A confirmation email for pending subscriber `sid` (a signup enqueues it). */
export interface ConfirmJob {
  kind: "confirm";
  sid: string;
  /** Set by the signup that created the subscriber (epoch ms): the worker counts the signup. */
  signedUpAt?: number;
}

/**
 * An owner's sign-in link, asked for on /admin/login. `owner` is the hash of their address
 * (the key the table keeps their sign-in mail gap under), never the address. The link is made
 * by the sender right before SES, so its 15 minutes start when it is sent.
 */
export interface SigninJob {
  kind: "signin";
  owner: string;
}

/** A test of one email of the sequence (`email`, its id) to a signed-in owner (`owner`, hashed). */
export interface TestSendJob {
  kind: "test";
  owner: string;
  email: string;
}

/**
 * The fresh download and erase links subscriber `sid` asked for on their manage page, for the
 * record of `generation` (the press already passed the throttle; the sender looks again).
 */
export interface DataLinksJob {
  kind: "data-links";
  sid: string;
  generation: number;
}

/**
 * Nothing to send: on AWS it follows urgent jobs onto the send queue, so that a send worker
 * wakes and drains the urgent queue even when no lessons are waiting.
 */
export interface WakeJob {
  kind: "wake";
}

/**
 * One unit of send work. Every kind travels through the same queue and is paced by the same
 * senders, so confirmations, requested links and owners' emails count against the same SES
 * rate as the drip.
 */
export type SendJob = StepJob | ConfirmJob | DataLinksJob | SigninJob | TestSendJob | WakeJob;

/** Where claimed work goes: SQS on AWS, an in-process queue locally. */
export interface JobQueue {
  enqueue(jobs: SendJob[]): Promise<void>;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

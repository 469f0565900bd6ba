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

/** One unit of send work: subscriber `sid` at `step`, claimed under `lease`. */
export interface SendJob {
  sid: string;
  step: number;
  lease: string;
}

/** Where claimed work goes: SQS on AWS, an in-process queue locally. */
export interface JobQueue {
  enqueue(jobs: SendJob[]): Promise<void>;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

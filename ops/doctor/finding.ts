/** How one check came out. `skip`: it cannot run yet (usually: before the first deploy). */
export type Status = "pass" | "warn" | "fail" | "skip";

/** One line of the doctor's report, and what to do about it when it is not a pass. */
export interface Finding {
  status: Status;
  title: string;
  /** The exact fix in plain words: the record to add, the command to run, the page to open. */
  fix?: string;
  /** Facts worth showing under the title (a stack's outputs). */
  detail?: string[];
}

export const pass = (title: string): Finding => ({ status: "pass", title });
export const warn = (title: string, fix: string): Finding => ({ status: "warn", title, fix });
export const fail = (title: string, fix: string): Finding => ({ status: "fail", title, fix });
export const skip = (title: string, fix: string): Finding => ({ status: "skip", title, fix });

/** The short name and message of an SDK or network error, for a report line. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: string }).code;
  return `${code ?? e.name}: ${e.message}`;
}

/** Whether AWS refused the call for lack of a permission. */
export const isAccessDenied = (e: unknown): boolean =>
  e instanceof Error &&
  /AccessDenied|UnauthorizedOperation|not authorized/i.test(`${e.name} ${e.message}`);

/** Pages of the AWS console, so a fix can say where to click. */
export const consoleUrl = {
  ses: (region: string, page: string) =>
    `https://${region}.console.aws.amazon.com/ses/home?region=${region}#/${page}`,
  stacks: (region: string) =>
    `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks`,
  subscriptions: (region: string) =>
    `https://${region}.console.aws.amazon.com/sns/v3/home?region=${region}#/subscriptions`,
  certificates: () =>
    "https://us-east-1.console.aws.amazon.com/acm/home?region=us-east-1#/certificates/list",
};

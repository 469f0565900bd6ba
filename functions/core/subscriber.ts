/** Lifecycle states; `transitions.ts` holds the only rules that move between them. */
export const STATUSES = [
  "pending",
  "active",
  "completed",
  "unsubscribed",
  "bounced",
  "complained",
] as const;
export type Status = (typeof STATUSES)[number];

export interface Consent {
  at: string;
  ip?: string;
  userAgent?: string;
  form: string;
  textVersion: string;
}

export interface SendRecord {
  /** The email's id (a lesson's `id`, or the welcome email's). */
  id: string;
  at: string;
  messageId: string;
}

export interface SendFailure {
  id: string;
  at: string;
  reason: string;
}

/** A subscriber item as stored (one DynamoDB item, `pk = SUB#<sid>`, `sk = PROFILE`). */
export interface Subscriber {
  sid: string;
  email: string;
  firstName: string;
  status: Status;
  /**
   * Chosen at random when the record is created; every link carries it and acts only while it
   * matches. Erase deletes the record, so a later signup starts a new generation. Absent on
   * records created before generations existed (counts as 0).
   */
  generation?: number;
  /** Incremented on every write: the optimistic-concurrency check of each conditional update. */
  version: number;
  createdAt: string;
  updatedAt: string;
  confirmedAt?: string;
  endedAt?: string;
  /** Evidence of the first signup; never overwritten. */
  consent: Consent;
  /** Evidence of later signups (the latest few), appended. */
  signups?: Consent[];
  /** Evidence of each confirmation (the latest few), appended. */
  confirmations?: Consent[];
  /** Set when someone who unsubscribed signs up again: they may confirm until then. */
  rejoinUntil?: string;
  sequenceId: string;
  /** Id of the last sequence email received (or passed for good: a permanent refusal). */
  lastId?: string;
  /** Every sequence email id received or passed; none is ever sent again. */
  received?: string[];
  /** Hash of the published order `lastId` was sent under (item `SEQ#<sequenceId>`, `V#<hash>`). */
  seq?: string;
  /** When the last sequence email went out. */
  lastAt?: string;
  /** The email planned next while active, and the hash of the order it was planned under. */
  nextId?: string;
  planned?: string;
  /**
   * Items written before progress by id: the next position in the original order (0 = welcome).
   * Read through `progressOf`, which turns it into ids; removed on the next advance.
   */
  step?: number;
  timeZone: string;
  sends: SendRecord[];
  failures?: SendFailure[];
  /** Confirmation counters of records from before the per-mailbox throttle; no longer used. */
  confirmCount?: number;
  confirmWindowStart?: string;
  confirmLastAt?: string;
  /** Epoch seconds; pending items only (DynamoDB TTL hint, always also checked in code). */
  expiresAt?: number;
  /** Due index (sparse): present only while a next send is scheduled. */
  dueShard?: string;
  dueAt?: string;
  lease?: string;
  /** First click by a person (not a scanner); set once, counts the person in the funnel. */
  firstClickAt?: string;
  /** First time the masterclass video started playing after an email's link; set once. */
  watchedAt?: string;
  /** Emails this person clicked in at least once (a string set). */
  clickedEmails?: Set<string>;
  /** Paused by the owner: out of the due index until resumed, place kept. */
  pausedAt?: string;
  /** When the next email was due at the moment of pausing. */
  pausedDueAt?: string;
}

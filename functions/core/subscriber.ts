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
  step: number;
  id: string;
  at: string;
  messageId: string;
}

export interface SendFailure {
  step: number;
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
  consent: Consent;
  sequenceId: string;
  sequenceVersion: number;
  /** Next step of the sequence to send (0 = welcome). */
  step: number;
  timeZone: string;
  sends: SendRecord[];
  failures?: SendFailure[];
  /** Confirmation emails sent in the current 24 h window. */
  confirmCount: number;
  confirmWindowStart: string;
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

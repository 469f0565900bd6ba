import type { CounterScope, Counts } from "../adapters/counters";
import type { Store } from "../adapters/store";
import type { Course } from "../core/content";
import { DAY_MS } from "../core/schedule";
import { STATUSES, type Status } from "../core/subscriber";
import { DUE_SHARDS } from "../core/transitions";
import { day } from "./stats";

/** One email of the sequence with what happened to it. */
export interface EmailRow {
  id: string;
  subject: string;
  sent: number;
  humanClicks: number;
  scannerClicks: number;
  /** People who clicked in this email at least once (scanners excluded). */
  clickers: number;
  /** `clickers / sent`, 0 before anything was sent. */
  clickRate: number;
  unsubscribes: number;
  bounces: number;
  complaints: number;
  /** Sends SES refused for good (the subscriber moved past this email). */
  rejects: number;
}

/** The funnel, the state of the list and every email: what /admin and `npm run report` show. */
export interface Report {
  generatedAt: string;
  funnel: {
    signups: number;
    confirmed: number;
    clicked: number;
    watched: number;
    completed: number;
  };
  /** Each funnel step as a share of the step before it (0..1; 0 when the step before is 0). */
  conversions: { confirmed: number; clicked: number; watched: number; completed: number };
  subscribers: Record<Status, number> & { paused: number };
  emails: EmailRow[];
  /** Signups and confirmations per UTC day, oldest first, ending today. */
  daily: { day: string; signups: number; confirmations: number }[];
  /** Subscribers whose next email falls due within 24 hours (including any overdue now). */
  dueNext24h: number;
  failures: {
    /** Sends SES refused for good, all time. */
    rejects: number;
    /** Messages in the send queue's dead-letter queue; null where there is none (locally). */
    deadLetters: number | null;
  };
}

export interface ReportDeps {
  store: Pick<Store, "counters" | "countDue">;
  course: Course;
  /** Depth of the dead-letter queue (SQS on AWS); absent where the stack has none. */
  deadLetters?: () => Promise<number>;
}

export const REPORT_DAYS = 90;

const n = (counts: Counts | undefined, key: string) => Math.max(0, counts?.[key] ?? 0);
const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

/**
 * Builds the report from counters kept up to date on every event (a few batched reads) and a
 * count of the due index per shard: nothing scans the subscriber list.
 * @example const r = await buildReport({ store, course }, Date.now()); r.funnel.signups
 */
export async function buildReport(deps: ReportDeps, now: number): Promise<Report> {
  const emails = [deps.course.welcome, ...deps.course.lessons];
  const days = Array.from({ length: REPORT_DAYS }, (_, i) =>
    day(now - (REPORT_DAYS - 1 - i) * DAY_MS),
  );
  const scopes: CounterScope[] = [
    "all",
    "state",
    ...emails.map((e) => `email:${e.id}` as const),
    ...days.map((d) => `day:${d}` as const),
  ];
  const until = new Date(now + DAY_MS).toISOString();
  const [counts, due, deadLetters] = await Promise.all([
    deps.store.counters.read(scopes),
    Promise.all(
      Array.from({ length: DUE_SHARDS }, (_, s) => deps.store.countDue(String(s), until)),
    ),
    deps.deadLetters ? deps.deadLetters() : Promise.resolve(null),
  ]);
  const all = counts.get("all");
  const state = counts.get("state");
  const funnel = {
    signups: n(all, "signups"),
    confirmed: n(all, "confirmations"),
    clicked: n(all, "clicked"),
    watched: n(all, "watched"),
    completed: n(all, "completed"),
  };
  const subscribers = Object.fromEntries(STATUSES.map((s) => [s, n(state, s)])) as Record<
    Status,
    number
  >;
  return {
    generatedAt: new Date(now).toISOString(),
    funnel,
    conversions: {
      confirmed: rate(funnel.confirmed, funnel.signups),
      clicked: rate(funnel.clicked, funnel.confirmed),
      watched: rate(funnel.watched, funnel.clicked),
      completed: rate(funnel.completed, funnel.confirmed),
    },
    subscribers: { ...subscribers, paused: n(state, "paused") },
    emails: emails.map((e) => {
      const c = counts.get(`email:${e.id}`);
      const sent = n(c, "sent");
      return {
        id: e.id,
        subject: e.subject,
        sent,
        humanClicks: n(c, "humanClicks"),
        scannerClicks: n(c, "scannerClicks"),
        clickers: n(c, "clickers"),
        clickRate: rate(n(c, "clickers"), sent),
        unsubscribes: n(c, "unsubscribes"),
        bounces: n(c, "bounces"),
        complaints: n(c, "complaints"),
        rejects: n(c, "rejects"),
      };
    }),
    daily: days.map((d) => {
      const c = counts.get(`day:${d}`);
      return { day: d, signups: n(c, "signups"), confirmations: n(c, "confirmations") };
    }),
    dueNext24h: due.reduce((a, b) => a + b, 0),
    failures: { rejects: n(all, "rejects"), deadLetters },
  };
}

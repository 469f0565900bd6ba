import { randomInt } from "node:crypto";
import { CsvError, parseCsv } from "../core/csv";
import { EmailSchema, emailKey } from "../core/email-address";
import { safeTimeZone } from "../core/schedule";
import type { Subscriber } from "../core/subscriber";
import { dueShard } from "../core/tokens";
import { DUE_SHARDS, onSignup } from "../core/transitions";
import { countTransition } from "./stats";
import { type FunnelDeps, sidFor } from "./subscriptions";

/** One row ready to import; `line` is where it was in the file. */
export interface ImportRow {
  line: number;
  email: string;
  firstName: string;
  timeZone: string;
  consentAt?: string;
  consentSource?: string;
}

export interface ImportOptions {
  /** Import as active at this email id (rows must carry consent evidence); else pending. */
  activeAt?: string;
}

export type ImportPlan =
  | { ok: true; rows: ImportRow[] }
  | { ok: false; errors: { line: number; message: string }[] };

export const IMPORT_COLUMNS = ["email", "firstName", "timeZone", "consentAt", "consentSource"];
const MAX_ROWS = 50_000;

/**
 * Reads and checks a whole CSV file before anything is written: a header row with at least
 * `email`; each row a valid address seen once. Importing as active needs consent evidence on
 * every row (when and where they agreed). Any problem: every bad line is reported, nothing
 * is imported.
 */
export function planImport(
  csv: string,
  opts: ImportOptions,
  ctx: { emailIds: string[]; defaultZone: string; now: number },
): ImportPlan {
  const errors: { line: number; message: string }[] = [];
  if (opts.activeAt && !ctx.emailIds.includes(opts.activeAt)) {
    errors.push({
      line: 0,
      message: `no email '${opts.activeAt}' in the sequence (one of: ${ctx.emailIds.join(", ")})`,
    });
    return { ok: false, errors };
  }
  let table: ReturnType<typeof parseCsv>;
  try {
    table = parseCsv(csv);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    return { ok: false, errors: [{ line: e.line, message: `not readable as CSV: ${e.message}` }] };
  }
  const [header, ...body] = table;
  if (body.length > MAX_ROWS)
    return { ok: false, errors: [{ line: 0, message: `more than ${MAX_ROWS} rows` }] };
  const columns = header?.fields.map((h) => h.trim()) ?? [];
  if (header && !columns.includes("email")) {
    return {
      ok: false,
      errors: [
        {
          line: header.line,
          message: `the header must name an 'email' column (columns: ${IMPORT_COLUMNS.join(", ")})`,
        },
      ],
    };
  }
  const records: { record: Record<string, string>; line: number }[] = [];
  for (const { line, fields } of body) {
    if (fields.length !== columns.length) {
      errors.push({
        line,
        message: `${fields.length} fields where the header has ${columns.length} (quote a value that holds a comma)`,
      });
      continue;
    }
    // A header may name any column, "__proto__" too: no prototype to write through.
    const record: Record<string, string> = Object.create(null);
    for (const [i, name] of columns.entries()) record[name] = (fields[i] as string).trim();
    records.push({ record, line });
  }
  const seen = new Map<string, number>();
  const rows: ImportRow[] = [];
  for (const { record, line } of records) {
    const parsed = EmailSchema.safeParse(record.email ?? "");
    if (!parsed.success) {
      errors.push({ line, message: "email: not a valid address" });
      continue;
    }
    const key = emailKey(parsed.data);
    const first = seen.get(key);
    if (first) {
      errors.push({ line, message: `email: the same address as line ${first}` });
      continue;
    }
    seen.set(key, line);
    const consentAt = record.consentAt || undefined;
    const consentSource = record.consentSource || undefined;
    if (consentAt && !(Date.parse(consentAt) <= ctx.now)) {
      errors.push({
        line,
        message: "consentAt: not a date and time in the past (e.g. 2025-04-01T09:30:00Z)",
      });
      continue;
    }
    if (opts.activeAt && !(consentAt && consentSource)) {
      errors.push({
        line,
        message:
          "importing as active needs consentAt and consentSource (when and where they agreed)",
      });
      continue;
    }
    const firstName = (record.firstName ?? "").slice(0, 100);
    rows.push({
      line,
      email: parsed.data,
      firstName,
      timeZone: safeTimeZone(record.timeZone, ctx.defaultZone),
      consentAt: consentAt && new Date(Date.parse(consentAt)).toISOString(),
      consentSource,
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

/** Rows written at once: their writes overlap, and their confirmations go in one enqueue. */
const IMPORT_AT_ONCE = 25;

/** What came of an import: `left` rows were not reached in time, `failed` failed to write. */
export interface ImportResult {
  created: number;
  unchanged: number;
  failed: number;
  left: number;
}

/**
 * Writes a checked plan, {@link IMPORT_AT_ONCE} rows at a time, until the rows are done or
 * `timeLeft()` (ms) runs out. An address already known, in any state, is left exactly as it
 * is, so importing the same file twice changes nothing, and uploading it again carries on where
 * time ran out or retries the rows that failed. New addresses become pending with a
 * confirmation queued (paced with all other mail), or, with `activeAt`, active with that email
 * due next, their stated consent recorded as the evidence.
 */
export async function applyImport(
  deps: FunnelDeps,
  rows: ImportRow[],
  opts: ImportOptions,
  timeLeft: () => number = () => Number.POSITIVE_INFINITY,
): Promise<ImportResult> {
  let created = 0;
  let failed = 0;
  let done = 0;
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const { current } = deps.sequences;
  const ids = current.order.map((e) => e.id);
  const start = opts.activeAt ? ids.indexOf(opts.activeAt) : -1;
  const write = async (row: ImportRow): Promise<Subscriber | undefined> => {
    const sid = sidFor(deps, row.email);
    const consent = {
      at: row.consentAt ?? at,
      form: row.consentSource ? `import: ${row.consentSource}`.slice(0, 200) : "import",
      textVersion: "import",
    };
    const decision = onSignup(
      undefined,
      {
        sid,
        email: row.email,
        firstName: row.firstName,
        timeZone: row.timeZone,
        consent,
        sequenceId: current.sequenceId,
        generation: randomInt(1, 2 ** 31),
      },
      now,
    );
    if (decision.kind !== "create") return undefined;
    let item: Subscriber = decision.item;
    if (start >= 0) {
      const received = ids.slice(0, start);
      const { expiresAt: _e, ...rest } = item;
      item = {
        ...rest,
        status: "active",
        confirmedAt: at,
        received,
        ...(received.length ? { lastId: received.at(-1), seq: current.hash, lastAt: at } : {}),
        nextId: ids[start],
        planned: current.hash,
        dueAt: at,
        dueShard: dueShard(sid, DUE_SHARDS),
      };
    }
    return (await deps.store.create(item)) ? item : undefined;
  };
  while (done < rows.length && timeLeft() > 0) {
    const batch = rows.slice(done, done + IMPORT_AT_ONCE);
    done += batch.length;
    const results = await Promise.allSettled(batch.map(write));
    const made: Subscriber[] = [];
    for (const r of results) {
      if (r.status === "rejected") failed++;
      else if (r.value) made.push(r.value);
    }
    created += made.length;
    // Confirmations first: a pending subscriber without one would wait for ever (a second
    // upload leaves them as they are), while a missed count only skews the dashboard.
    const confirms = made.filter((i) => i.status === "pending").map((i) => i.sid);
    if (confirms.length) {
      await deps.queue.enqueue(confirms.map((sid) => ({ kind: "confirm" as const, sid })));
    }
    await Promise.all(made.map((item) => countTransition(deps.store, undefined, item, now)));
  }
  const result = {
    created,
    unchanged: done - created - failed,
    failed,
    left: rows.length - done,
  };
  deps.logger.info("import", result);
  return result;
}

/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, a field that
 * holds a comma, quote or line break wrapped in double quotes with its quotes doubled.
 *
 * Written here rather than taken from a package because the web function carries it: csv-parse
 * and csv-stringify weigh 38 KiB minified in that bundle, and the small parsers read a stray
 * character after a closing quote or an unclosed quote without a word (dropping or swallowing
 * data), and say no line. This one refuses both and names the line.
 */

/** The file is not well-formed CSV; `line` is where the problem is (1-based). */
export class CsvError extends Error {
  override readonly name = "CsvError";
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** One record and the line it starts on (1-based, counting every physical line). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Reads every record of `text`. A leading byte-order mark is dropped and empty lines are
 * skipped. Throws {@link CsvError} for an unclosed quote or a character after a closing quote.
 * @example parseCsv('email,firstName\nana@example.com,"Ana, B."')[1]?.fields // ["ana@example.com", "Ana, B."]
 */
export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const start = line;
    const begin = i;
    const fields: string[] = [];
    // One record: fields until a line break outside quotes, or the end.
    for (;;) {
      let field = "";
      if (src[i] === '"') {
        const opened = line;
        i++;
        for (;;) {
          if (i >= n) throw new CsvError("a quoted field is never closed", opened);
          const c = src[i] as string;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          field += c;
          i++;
        }
        const next = src[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          throw new CsvError(
            'text after a closing quote (write a quote inside quotes as "")',
            line,
          );
        }
      } else {
        const from = i;
        while (i < n && src[i] !== "," && src[i] !== "\n" && src[i] !== "\r") {
          if (src[i] === '"') {
            throw new CsvError("a quote inside an unquoted field (quote the whole field)", line);
          }
          i++;
        }
        field = src.slice(from, i);
      }
      fields.push(field);
      if (src[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    // A line with nothing on it is no record ("" on its own line is one empty field).
    if (i > begin) records.push({ line: start, fields });
    if (src[i] === "\r") i++;
    if (src[i] === "\n") i++;
    line++;
  }
  return records;
}

/** A field quoted only when it must be. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Writes records as CSV, one per line (LF), each ending with a line break.
 * @example formatCsv([["email", "firstName"], ["ana@example.com", "Ana, B."]])
 * // 'email,firstName\nana@example.com,"Ana, B."\n'
 */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  let out = "";
  for (const row of rows) out += `${row.map(field).join(",")}\n`;
  return out;
}

import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvError, formatCsv, parseCsv } from "../../functions/core/csv";

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe("parseCsv", () => {
  it.each([
    [
      "a,b\nc,d",
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ],
    [
      "a,b\r\nc,d\r\n",
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ],
    ["\uFEFFemail\nana@example.com\n", [["email"], ["ana@example.com"]]],
    ['"a, b","say ""hi"""', [["a, b", 'say "hi"']]],
    ['"two\nlines",x', [["two\nlines", "x"]]],
    ["a,,\n", [["a", "", ""]]],
    ['""', [[""]]],
    ["a\n\n\r\nb", [["a"], ["b"]]],
    ["", []],
  ])("%j reads as %j", (text, expected) => {
    expect(fields(text)).toEqual(expected);
  });

  it("numbers each record by the line it starts on, counting quoted line breaks and empty lines", () => {
    const records = parseCsv('h\n"one\ntwo"\n\nthree\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it.each([
    ['a\n"open,b\nc', 2, "never closed"],
    ['a\n"x"y,b', 2, "after a closing quote"],
    ['a\nx"y', 2, "quote inside an unquoted field"],
    ['a\n"two\nlines"!', 3, "after a closing quote"],
  ])("refuses %j at line %i (%s)", (text, line, message) => {
    let error: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).line).toBe(line);
    expect((error as CsvError).message).toContain(message);
  });
});

describe("formatCsv", () => {
  it("quotes only fields that need it", () => {
    expect(formatCsv([["a", "b,c", 'd"e', "f\ng", ""]])).toBe('a,"b,c","d""e","f\ng",\n');
  });

  it("writes what an independent parser reads back, and reads what it writes", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "é", ",", '"', "\n", "\r", " ", "=") });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1 }),
        (rows) => {
          const text = formatCsv(rows);
          const theirs = parse(text, { relax_column_count: true, skip_empty_lines: true });
          expect(fields(text)).toEqual(theirs);
          expect(fields(text)).toEqual(rows);
        },
      ),
      { numRuns: 500 },
    );
  });
});

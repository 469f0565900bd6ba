import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  DAY_MS,
  isTimeZone,
  nextSendAt,
  type ScheduleOptions,
  safeTimeZone,
} from "../../functions/core/schedule";

const at = (s: string) => Date.parse(s);
const HOUR_MS = 3_600_000;

describe("nextSendAt: exact delays (no send hour)", () => {
  const utc = (dayMs: number): ScheduleOptions => ({ dayMs, timeZone: "UTC" });

  it.each([
    ["2 days", "2026-01-01T10:00:00Z", 2, utc(DAY_MS), "2026-01-03T10:00:00.000Z"],
    ["1 day", "2026-01-01T10:00:00Z", 1, utc(DAY_MS), "2026-01-02T10:00:00.000Z"],
    ["half a day", "2026-01-01T10:00:00Z", 0.5, utc(DAY_MS), "2026-01-01T22:00:00.000Z"],
    ["1.25 days", "2026-01-01T10:00:00Z", 1.25, utc(DAY_MS), "2026-01-02T16:00:00.000Z"],
    [
      "a third of a day (rounded ms)",
      "2026-01-01T00:00:00Z",
      1 / 3,
      utc(DAY_MS),
      "2026-01-01T08:00:00.000Z",
    ],
    ["0.1 day", "2026-01-01T00:00:00Z", 0.1, utc(DAY_MS), "2026-01-01T02:24:00.000Z"],
    ["60 days", "2026-01-01T10:00:00Z", 60, utc(DAY_MS), "2026-03-02T10:00:00.000Z"],
    ["across a leap day", "2028-02-28T10:00:00Z", 2, utc(DAY_MS), "2028-03-01T10:00:00.000Z"],
    [
      "London zone without send hour: 24 h steps across DST",
      "2026-03-28T12:00:00Z",
      1,
      { dayMs: DAY_MS, timeZone: "Europe/London" },
      "2026-03-29T12:00:00.000Z",
    ],
  ])("%s", (_label, prev, delay, opts, expected) => {
    expect(new Date(nextSendAt(at(prev), delay, opts)).toISOString()).toBe(expected);
  });

  it.each([
    ["1 s days, 3 days", 1000, 3, 3000],
    ["1 s days, 1.5 days", 1000, 1.5, 1500],
    ["1 min days, 2 days", 60_000, 2, 120_000],
    ["1 min days, 0.25 day", 60_000, 0.25, 15_000],
    ["7 ms days, 1/3 day (rounded)", 7, 1 / 3, 2],
    ["1 h days, 7 days", HOUR_MS, 7, 7 * HOUR_MS],
  ])("fast clock: %s (day = %i ms, delay %s) -> +%i ms", (_label, dayMs, delay, expected) => {
    const prev = at("2026-05-01T12:34:56.789Z");
    expect(nextSendAt(prev, delay, { dayMs, timeZone: "UTC" }) - prev).toBe(expected);
  });

  it.each([
    ["1 s days", 1000],
    ["1 min days", 60_000],
    ["one ms short of a day", DAY_MS - 1],
    ["two days", 2 * DAY_MS],
  ])("send hour is ignored when a day is not a real day (%s)", (_label, dayMs) => {
    const prev = at("2026-05-01T12:34:56.789Z");
    const opts = { dayMs, sendHour: 9, timeZone: "Europe/London" };
    expect(nextSendAt(prev, 2, opts)).toBe(prev + 2 * dayMs);
  });
});

describe("nextSendAt: aligned to the subscriber's local send hour", () => {
  const cases: [
    label: string,
    zone: string,
    prev: string,
    delay: number,
    sendHour: number,
    expected: string,
  ][] = [
    ["UTC, later the same day", "UTC", "2026-01-01T07:00:00Z", 2, 9, "2026-01-03T09:00:00.000Z"],
    ["UTC, earlier the same day", "UTC", "2026-01-01T15:00:00Z", 2, 9, "2026-01-03T09:00:00.000Z"],
    [
      "London in winter (GMT)",
      "Europe/London",
      "2026-01-10T15:00:00Z",
      2,
      9,
      "2026-01-12T09:00:00.000Z",
    ],
    [
      "London in summer (BST)",
      "Europe/London",
      "2026-07-10T15:00:00Z",
      2,
      9,
      "2026-07-12T08:00:00.000Z",
    ],
    [
      "London, sent in GMT, due in BST",
      "Europe/London",
      "2026-03-27T12:00:00Z",
      3,
      9,
      "2026-03-30T08:00:00.000Z",
    ],
    [
      "London, due on the day the clocks go forward",
      "Europe/London",
      "2026-03-28T12:00:00Z",
      1,
      9,
      "2026-03-29T08:00:00.000Z",
    ],
    [
      "London, the day before the change",
      "Europe/London",
      "2026-03-26T12:00:00Z",
      2,
      9,
      "2026-03-28T09:00:00.000Z",
    ],
    [
      "London, sent in BST, due in GMT (October)",
      "Europe/London",
      "2026-10-23T12:00:00Z",
      3,
      9,
      "2026-10-26T09:00:00.000Z",
    ],
    [
      "New York in winter (EST)",
      "America/New_York",
      "2026-02-01T20:00:00Z",
      1,
      8,
      "2026-02-02T13:00:00.000Z",
    ],
    [
      "New York in summer (EDT)",
      "America/New_York",
      "2026-07-01T20:00:00Z",
      2,
      8,
      "2026-07-03T12:00:00.000Z",
    ],
    [
      "New York across the March change",
      "America/New_York",
      "2026-03-06T20:00:00Z",
      3,
      8,
      "2026-03-09T12:00:00.000Z",
    ],
    [
      "New York, local date behind UTC, bumped a day (half-delay rule)",
      "America/New_York",
      "2026-02-01T03:00:00Z",
      1,
      8,
      "2026-02-02T13:00:00.000Z",
    ],
    ["Kolkata (+05:30)", "Asia/Kolkata", "2026-05-01T00:00:00Z", 2, 7, "2026-05-03T01:30:00.000Z"],
    [
      "Kolkata, evening hour",
      "Asia/Kolkata",
      "2026-05-01T12:00:00Z",
      1,
      18,
      "2026-05-02T12:30:00.000Z",
    ],
    [
      "Auckland in its summer (NZDT +13)",
      "Pacific/Auckland",
      "2026-01-15T00:00:00Z",
      1,
      9,
      "2026-01-15T20:00:00.000Z",
    ],
    [
      "Auckland in its winter (NZST +12)",
      "Pacific/Auckland",
      "2026-07-01T00:00:00Z",
      2,
      9,
      "2026-07-02T21:00:00.000Z",
    ],
    [
      "Auckland across its April change",
      "Pacific/Auckland",
      "2026-04-03T00:00:00Z",
      3,
      9,
      "2026-04-05T21:00:00.000Z",
    ],
    [
      "unknown zone -> exact delay",
      "Mars/Olympus_Mons",
      "2026-01-01T10:00:00Z",
      2,
      9,
      "2026-01-03T10:00:00.000Z",
    ],
  ];

  it.each(cases)("%s", (_label, timeZone, prev, delay, sendHour, expected) => {
    const next = nextSendAt(at(prev), delay, { dayMs: DAY_MS, sendHour, timeZone });
    expect(new Date(next).toISOString()).toBe(expected);
    if (DateTime.local().setZone(timeZone).isValid) {
      const local = DateTime.fromMillis(next, { zone: timeZone });
      expect([local.hour, local.minute, local.second, local.millisecond]).toEqual([
        sendHour,
        0,
        0,
        0,
      ]);
    }
  });

  const zones = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"];
  const delays = [0.5, 1, 1.5, 2, 3, 7];
  const starts = Array.from({ length: 24 }, (_, h) => at("2026-06-10T00:17:00Z") + h * HOUR_MS);

  it.each(zones.flatMap((zone) => delays.map((delay) => [zone, delay] as const)))(
    "%s, delay %s days: never sooner than half the delay, never a day later than the delay",
    (timeZone, delay) => {
      for (const prev of starts) {
        for (const sendHour of [0, 6, 9, 18, 23]) {
          const next = nextSendAt(prev, delay, { dayMs: DAY_MS, sendHour, timeZone });
          expect(next).toBeGreaterThanOrEqual(prev + (delay * DAY_MS) / 2);
          expect(next).toBeLessThan(prev + delay * DAY_MS + DAY_MS);
        }
      }
    },
  );
});

describe("safeTimeZone", () => {
  it.each([
    ["Europe/London", "Europe/London"],
    ["America/New_York", "America/New_York"],
    ["Asia/Kolkata", "Asia/Kolkata"],
    ["Pacific/Auckland", "Pacific/Auckland"],
    ["America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"],
    ["UTC", "UTC"],
    [undefined, "Europe/Berlin"],
    ["", "Europe/Berlin"],
    ["Not/A_Zone", "Europe/Berlin"],
    ["Europe/Londn", "Europe/Berlin"],
    ["<script>alert(1)</script>", "Europe/Berlin"],
    ["Europe/London\r\nX: y", "Europe/Berlin"],
    [`Europe/${"x".repeat(58)}`, "Europe/Berlin"],
    [`${"A".repeat(65)}`, "Europe/Berlin"],
    [`Europe/London${" ".repeat(60)}`, "Europe/Berlin"],
  ])("%s -> %s", (tz, expected) => {
    expect(safeTimeZone(tz, "Europe/Berlin")).toBe(expected);
  });
});

describe("isTimeZone", () => {
  /** The answer of the check it stands for: can this runtime format a date in the zone? */
  const formats = (tz: string) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  };

  it("accepts every zone the runtime lists, as formatting in it does", () => {
    for (const tz of Intl.supportedValuesOf("timeZone"))
      expect([tz, isTimeZone(tz)]).toEqual([tz, true]);
  });

  it.each([
    "UTC",
    "Etc/GMT+5",
    "Asia/Kolkata",
    "Asia/Calcutta",
    "europe/london",
    "EUROPE/LONDON",
    "US/Eastern",
    "Europe/Kiev",
    "Not/A_Zone",
    "Europe/Londn",
    "Europe/London ",
    "",
    "+01:00",
  ])("answers %j as formatting in it does", (tz) => {
    expect(isTimeZone(tz)).toBe(formats(tz));
  });

  it("refuses names no runtime knows", () => {
    for (const tz of ["Not/A_Zone", "Europe/Londn", "Mars/Olympus_Mons", "<b>"]) {
      expect(isTimeZone(tz)).toBe(false);
    }
  });
});

describe("nextSendAt: pushed to the next day across a clock change", () => {
  it("keeps the local send hour when the day after has another UTC offset", () => {
    // 22:00 UTC on Friday 27 March 2026; the clocks go forward early on Sunday the 29th.
    const at = nextSendAt(Date.parse("2026-03-27T22:00:00Z"), 1, {
      dayMs: DAY_MS,
      sendHour: 9,
      timeZone: "Europe/London",
    });
    expect(new Date(at).toISOString()).toBe("2026-03-29T08:00:00.000Z");
  });
});

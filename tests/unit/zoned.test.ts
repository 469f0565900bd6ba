import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantOf, wallClock } from "../../functions/core/zoned";

const wall = (year: number, month: number, day: number, hour: number, minute = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second: 0,
  ms: 0,
});

describe("wall-clock time in a zone", () => {
  it.each([
    ["Europe/London", wall(2026, 1, 15, 9), "2026-01-15T09:00:00.000Z"],
    ["Europe/London", wall(2026, 7, 15, 9), "2026-07-15T08:00:00.000Z"],
    ["Asia/Kolkata", wall(2026, 7, 15, 9), "2026-07-15T03:30:00.000Z"],
    ["America/New_York", wall(2026, 1, 32, 9), "2026-02-01T14:00:00.000Z"],
    // 02:30 does not happen on 8 March 2026 in New York: it moves forward by the gap.
    ["America/New_York", wall(2026, 3, 8, 2, 30), "2026-03-08T07:30:00.000Z"],
    // 01:30 happens twice on 1 November 2026 in New York: the later one.
    ["America/New_York", wall(2026, 11, 1, 1, 30), "2026-11-01T06:30:00.000Z"],
  ])("%s %j is %s", (tz, w, iso) => {
    expect(new Date(instantOf(w, tz)).toISOString()).toBe(iso);
  });

  it("reads the weekday from Monday (0) to Sunday (6)", () => {
    expect(wallClock(Date.parse("2026-03-02T12:00Z"), "UTC").weekday).toBe(0);
    expect(wallClock(Date.parse("2026-03-08T12:00Z"), "UTC").weekday).toBe(6);
    expect(wallClock(Date.parse("2026-03-08T23:30Z"), "Pacific/Auckland").weekday).toBe(0);
  });

  it("round-trips every instant through its wall clock (property)", () => {
    const zones = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Tehran"];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2035-01-01") }),
        fc.constantFrom(...zones),
        (ms, tz) => {
          const w = wallClock(ms, tz);
          const back = instantOf(w, tz);
          // Equal, or (in the hour that happens twice) the later of the two.
          expect(wallClock(back, tz)).toEqual(w);
          expect(back >= ms).toBe(true);
        },
      ),
    );
  });
});

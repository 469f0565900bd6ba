import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { DAY_MS, nextSendAt, WEEKDAYS, type Weekday } from "../../functions/core/schedule";

const ZONES = Intl.supportedValuesOf("timeZone");
const WEEKDAYS_ONLY: Weekday[] = ["mon", "tue", "wed", "thu", "fri"];
const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone });
const dayName = (ms: number, zone: string) => WEEKDAYS[local(ms, zone).weekday - 1];

describe("send windows: a send hour and weekdays in the subscriber's zone", () => {
  it("examples across the UK's clock changes", () => {
    const opts = { dayMs: DAY_MS, timeZone: "Europe/London", sendHour: 8, sendDays: WEEKDAYS_ONLY };
    // Friday 27 March 2026, 08:00 GMT; two days later is Sunday 29th, the day clocks go
    // forward: the send moves to Monday 30th at 08:00 BST (07:00 UTC).
    expect(new Date(nextSendAt(Date.parse("2026-03-27T08:00:00Z"), 2, opts)).toISOString()).toBe(
      "2026-03-30T07:00:00.000Z",
    );
    // Friday 23 October 2026, 08:00 BST; Sunday 25th clocks go back: Monday 26th 08:00 GMT.
    expect(new Date(nextSendAt(Date.parse("2026-10-23T07:00:00Z"), 1, opts)).toISOString()).toBe(
      "2026-10-26T08:00:00.000Z",
    );
    // A Tuesday send a day later stays on Wednesday.
    expect(new Date(nextSendAt(Date.parse("2026-06-02T07:00:00Z"), 1, opts)).toISOString()).toBe(
      "2026-06-03T07:00:00.000Z",
    );
  });

  it("without a window, a lesson goes exactly its delay after the previous email", () => {
    const prev = Date.parse("2026-03-28T21:13:00Z");
    expect(nextSendAt(prev, 2, { dayMs: DAY_MS, timeZone: "Europe/London" })).toBe(
      prev + 2 * DAY_MS,
    );
    // A fast clock (npm start's FUNNEL_DAY_SECONDS) ignores windows: days are seconds.
    expect(
      nextSendAt(prev, 2, {
        dayMs: 4000,
        timeZone: "Europe/London",
        sendHour: 8,
        sendDays: ["mon"],
      }),
    ).toBe(prev + 8000);
  });

  it("in any zone, on any date: an allowed weekday, at the send hour, not before half the delay, within a week", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.date({
          min: new Date("2020-01-01T00:00:00Z"),
          max: new Date("2035-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom(0.5, 1, 1.5, 2, 3, 7),
        // Hours clear of the small hours, when clocks change somewhere on Earth.
        fc.integer({ min: 6, max: 22 }),
        fc.subarray([...WEEKDAYS], { minLength: 1 }),
        (zone, date, delayDays, sendHour, sendDays) => {
          const prev = date.getTime();
          const next = nextSendAt(prev, delayDays, {
            dayMs: DAY_MS,
            timeZone: zone,
            sendHour,
            sendDays,
          });
          const at = local(next, zone);
          expect(sendDays).toContain(dayName(next, zone));
          expect([at.hour, at.minute, at.second]).toEqual([sendHour, 0, 0]);
          expect(next).toBeGreaterThanOrEqual(prev + (delayDays * DAY_MS) / 2);
          // At most: the delay, a day to reach the hour, six days to reach a weekday, an hour of DST.
          expect(next).toBeLessThanOrEqual(prev + (delayDays + 7) * DAY_MS + 3_600_000);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("with weekdays only, the time of day is kept and only allowed days are used", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.date({
          min: new Date("2020-01-01T00:00:00Z"),
          max: new Date("2035-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom(1, 2, 3),
        (zone, date, delayDays) => {
          const prev = date.getTime();
          const plain = prev + delayDays * DAY_MS;
          const next = nextSendAt(prev, delayDays, {
            dayMs: DAY_MS,
            timeZone: zone,
            sendDays: WEEKDAYS_ONLY,
          });
          expect(WEEKDAYS_ONLY).toContain(dayName(next, zone));
          expect(next).toBeGreaterThanOrEqual(plain);
          expect(next - plain).toBeLessThan(3 * DAY_MS + 3_600_000);
          if (WEEKDAYS_ONLY.includes(dayName(plain, zone) as Weekday)) expect(next).toBe(plain);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

import type { Clock } from "../../functions/core/ports";

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told: tests walk days in milliseconds. */
export class ManualClock implements Clock {
  constructor(private ms: number = Date.parse("2026-03-02T09:00:00Z")) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): number {
    this.ms += ms;
    return this.ms;
  }
}

// Time-zone helpers for the analytics API: a plain date (`2026-03-29`) means local midnight in the
// requested zone; instants pass through. Rollups are hourly, so instants are cut to whole UTC hours.
// Zone offsets and local midnights are the shared calendar-day helpers (utils/zoned-day.ts), which
// the daily sales reports use too, so a day means the same instants in both.
import { zonedMidnight } from '../../utils/zoned-day';

export { zoneOffsetMs, zonedMidnight } from '../../utils/zoned-day';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseBoundary(value: string, tz: string): Date {
  return DATE_ONLY.test(value) ? zonedMidnight(value, tz) : new Date(value);
}

export function floorHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

export function ceilHour(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 3_600_000) * 3_600_000);
}

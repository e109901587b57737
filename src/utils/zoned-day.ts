// Calendar days in an IANA time zone as half-open UTC windows, with Intl only (no tz database of our
// own): a day is [local midnight, next local midnight), so DST days last 23 or 25 hours.
const CALENDAR_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` naming a real date (2026-02-30 is not one). */
export function isCalendarDay(value: string): boolean {
  const match = CALENDAR_DAY.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function localParts(at: Date, tz: string): Record<string, number> {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return Object.fromEntries(format.formatToParts(at).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** The zone's offset from UTC at `at`, in ms (Berlin in summer: +7 200 000). */
export function zoneOffsetMs(at: Date, tz: string): number {
  const p = localParts(at, tz);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return local - Math.floor(at.getTime() / 1000) * 1000;
}

/** The local calendar day of instant `at` in `tz`. */
export function localDayOf(at: Date, tz: string): string {
  const p = localParts(at, tz);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Wall-clock time of `at` in `tz`, `YYYY-MM-DD HH:mm:ss` (for people reading a report). */
export function localDateTime(at: Date, tz: string): string {
  const p = localParts(at, tz);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${localDayOf(at, tz)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** `day` plus `n` calendar days (n may be negative). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * Local midnight starting `day` in `tz`, as an instant. Guess with the offset at UTC midnight, then
 * correct once with the offset at the guess (they differ when a DST change falls in between).
 * Where a DST jump skips midnight itself (São Paulo until 2019), the corrected instant falls on the
 * day before; the day then starts at the jump, which is the guess.
 */
export function zonedMidnight(day: string, tz: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  const utcMidnight = Date.UTC(y, m - 1, d);
  const guess = new Date(utcMidnight - zoneOffsetMs(new Date(utcMidnight), tz));
  const corrected = new Date(utcMidnight - zoneOffsetMs(guess, tz));
  return localDayOf(corrected, tz) === day ? corrected : guess;
}

export interface DayWindow {
  readonly day: string;
  readonly timeZone: string;
  /** Inclusive start. */
  readonly from: Date;
  /** Exclusive end: the next day's start. */
  readonly to: Date;
}

export function dayWindow(day: string, tz: string): DayWindow {
  return { day, timeZone: tz, from: zonedMidnight(day, tz), to: zonedMidnight(addDays(day, 1), tz) };
}

/** The local day before the one `now` falls in: the last complete day. */
export function previousDay(now: Date, tz: string): string {
  return addDays(localDayOf(now, tz), -1);
}

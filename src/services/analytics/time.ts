// Time-zone helpers for the analytics API: a plain date (`2026-03-29`) means local midnight in the
// requested zone; instants pass through. Rollups are hourly, so instants are cut to whole UTC hours.
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `at`, in ms (Berlin summer: +7_200_000). */
export function zoneOffsetMs(at: Date, tz: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return local - Math.floor(at.getTime() / 1000) * 1000;
}

/** Local midnight of `date` (YYYY-MM-DD) in `tz` as an instant. */
export function zonedMidnight(date: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let at = guess - zoneOffsetMs(new Date(guess), tz);
  // Across a DST change the offset at the result may differ from the guess's: correct once.
  at = guess - zoneOffsetMs(new Date(at), tz);
  return new Date(at);
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

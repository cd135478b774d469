/** Wall-clock arithmetic in an IANA time zone using Intl only (no I/O, no tz database of our own). */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The zone's offset from UTC at an instant, in ms (whole seconds: old local mean times have them), from Intl. */
function intlOffsetMs(t: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) parts[p.type] = p.value;
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - Math.floor(t / 1000) * 1000;
}

const HOUR = 3_600_000;
/** Per zone: UTC hour → the zone's offset throughout that hour (null: it changes within the hour). */
const hourOffsets = new Map<string, Map<number, number | null>>();
const MAX_CACHED_HOURS = 20_000;

/**
 * The offset at `t`, remembered per UTC hour: Intl is asked at the hour's first and last
 * millisecond, and when both agree the offset holds for the whole hour (a zone never changes its
 * offset twice within one hour). An hour with a change in it is always asked of Intl.
 */
function offsetMsAt(t: number, timeZone: string): number {
  let zone = hourOffsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    hourOffsets.set(timeZone, zone);
  }
  const hour = Math.floor(t / HOUR);
  let offset = zone.get(hour);
  if (offset === undefined) {
    const first = intlOffsetMs(hour * HOUR, timeZone);
    offset = first === intlOffsetMs(hour * HOUR + HOUR - 1, timeZone) ? first : null;
    if (zone.size >= MAX_CACHED_HOURS) zone.clear();
    zone.set(hour, offset);
  }
  return offset ?? intlOffsetMs(t, timeZone);
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const local = new Date(instant.getTime() + offsetMsAt(instant.getTime(), timeZone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    weekday: local.getUTCDay(),
  };
}

/** localParts straight from Intl, without the remembered offsets (for tests that hold the two equal). */
export function intlLocalParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

/** The local calendar day of an instant, YYYY-MM-DD. */
export function localDay(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

function offsetMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60000) * 60000) / 60000);
}

/**
 * The instant of a local wall-clock time. A time that doesn't exist (spring forward) moves forward
 * by the length of the gap (03:30 → 04:30 in Helsinki, as Temporal's "compatible" does); an
 * ambiguous one (fall back) takes the earlier instant.
 */
export function zonedInstant(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const candidates = new Set<number>();
  for (const probe of [wall - 14 * 3600_000, wall, wall + 14 * 3600_000]) {
    candidates.add(wall - offsetMinutes(new Date(probe), timeZone) * 60000);
  }
  const exact = [...candidates]
    .filter((t) => {
      const p = localParts(new Date(t), timeZone);
      return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) === wall;
    })
    .sort((a, b) => a - b);
  if (exact.length > 0) return new Date(exact[0] as number);
  // In a gap: the offset from before it puts the time as far past the gap as it was into it.
  return new Date(Math.max(...candidates));
}

export function addDays(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** True when the numbers name a real wall-clock time: a month that exists, a day that month has, 00:00:00–23:59:59. */
export function isCalendarDateTime(year: number, month: number, day: number, hour: number, minute: number, second = 0): boolean {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

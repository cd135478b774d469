/** Finnish public holidays and the de facto days off (Midsummer Eve, Christmas Eve). */
function easterSunday(year: number): [number, number] {
  // Anonymous Gregorian algorithm
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
function shift(y: number, m: number, d: number, days: number): string {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}
/** The first given weekday (0 = Sunday) on or after a date. */
function weekdayOnOrAfter(y: number, m: number, d: number, weekday: number): string {
  const start = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return shift(y, m, d, (weekday - start + 7) % 7);
}

const cache = new Map<number, Set<string>>();

export function finnishHolidays(year: number): Set<string> {
  const hit = cache.get(year);
  if (hit) return hit;
  const [em, ed] = easterSunday(year);
  const days = new Set<string>([
    iso(year, 1, 1),
    iso(year, 1, 6),
    shift(year, em, ed, -2),
    iso(year, em, ed),
    shift(year, em, ed, 1),
    iso(year, 5, 1),
    shift(year, em, ed, 39),
    shift(year, em, ed, 49),
    weekdayOnOrAfter(year, 6, 19, 5),
    weekdayOnOrAfter(year, 6, 20, 6),
    weekdayOnOrAfter(year, 10, 31, 6),
    iso(year, 12, 6),
    iso(year, 12, 24),
    iso(year, 12, 25),
    iso(year, 12, 26),
  ]);
  cache.set(year, days);
  return days;
}

export function isFinnishHoliday(day: string): boolean {
  return finnishHolidays(Number(day.slice(0, 4))).has(day);
}

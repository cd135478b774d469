/**
 * Finnish personal identity code (henkilötunnus): DDMMYY, a century sign, a three-digit individual
 * number and a check character. Used only in memory, never stored.
 */
const CHECK_CHARS = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const CENTURY: Record<string, number> = {
  '+': 1800,
  '-': 1900,
  Y: 1900,
  X: 1900,
  W: 1900,
  V: 1900,
  U: 1900,
  A: 2000,
  B: 2000,
  C: 2000,
  D: 2000,
  E: 2000,
  F: 2000,
};
const HETU_SHAPE = /^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$/;

/** A hetu inside other text ("V-010181-900C"), not inside a longer run of letters and digits. */
const HETU_INSIDE = /(?<![0-9A-Za-z])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![0-9A-Za-z])/giu;

/** The same glued to anything ("V060677-957E", "060677-957E0"): every window of a hetu's shape. */
const HETU_ANYWHERE = /(?=(\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]))/giu;

/**
 * True when the text holds a valid hetu (a record system's id field that carries the patient's
 * code). `glued`: also inside a longer run of letters and digits, for ids whose value is masked
 * rather than refused (a date-stamped id can look like a hetu by chance).
 */
export function containsHetu(text: string, options: { glued?: boolean } = {}): boolean {
  if (options.glued) {
    for (const m of text.matchAll(HETU_ANYWHERE)) if (parseHetu(m[1] as string).ok) return true;
    return false;
  }
  for (const m of text.matchAll(HETU_INSIDE)) if (parseHetu(m[0]).ok) return true;
  return false;
}

/** Ten characters of a hetu's shape with no sign, or a space or an underscore for it; not inside a longer number. */
const HETU_UNSIGNED = /(?<!\d)(\d{6})[ _]?(\d{3})([0-9A-Y])(?!\d)/giu;

/**
 * True when the text holds a valid hetu written without its century sign, or with a space or an
 * underscore for it ("V010181900C", "W 010181 900C"): only its check character tells it from any
 * ten digits. `checkLetter`: only one whose check character is a letter, for a field refused
 * rather than masked (ten digits ending in a digit may as well be part of a unit's OID).
 */
export function containsUnsignedHetu(text: string, options: { checkLetter?: boolean } = {}): boolean {
  for (const [, date, individual, check] of text.matchAll(HETU_UNSIGNED)) {
    if (options.checkLetter && /\d/u.test(check as string)) continue;
    // The check character does not depend on the century; the date (29 February) may.
    if (parseHetu(`${date}-${individual}${check}`).ok || parseHetu(`${date}A${individual}${check}`).ok) return true;
  }
  return false;
}

export type HetuResult = { ok: true; birthDate: string } | { ok: false; error: string };

export function parseHetu(input: string): HetuResult {
  const code = input.trim().toUpperCase();
  const m = HETU_SHAPE.exec(code);
  if (!m) return { ok: false, error: 'not a personal identity code (DDMMYYCZZZQ)' };
  const [, dd, mm, yy, sign, individual, check] = m as unknown as [string, string, string, string, string, string, string];
  const century = CENTURY[sign];
  if (century === undefined) return { ok: false, error: `unknown century sign ${sign}` };
  const expected = CHECK_CHARS[Number(`${dd}${mm}${yy}${individual}`) % 31];
  if (expected !== check) return { ok: false, error: 'wrong check character' };
  const year = century + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { ok: false, error: 'no such date' };
  }
  return { ok: true, birthDate: `${String(year).padStart(4, '0')}-${mm}-${dd}` };
}

const SIGNS_BY_CENTURY: Record<number, string> = { 1800: '+', 1900: '-', 2000: 'A' };

/**
 * The identity code for a birth date and an individual number (2–999; 900–999 is the test range),
 * with the usual century sign unless another valid one is given (Y…U for the 1900s, B…F for 2000s).
 */
export function hetuFor(birthDate: string, individual: number, sign?: string): string {
  const [y, m, d] = birthDate.split('-') as [string, string, string];
  const century = Math.floor(Number(y) / 100) * 100;
  const s = sign ?? SIGNS_BY_CENTURY[century];
  if (!s || CENTURY[s] !== century) throw new RangeError(`no century sign ${sign ?? ''} for ${birthDate}`);
  if (!Number.isInteger(individual) || individual < 2 || individual > 999) throw new RangeError('individual number 2-999');
  const digits = `${d}${m}${y.slice(2)}${String(individual).padStart(3, '0')}`;
  return `${d}${m}${y.slice(2)}${s}${String(individual).padStart(3, '0')}${CHECK_CHARS[Number(digits) % 31]}`;
}

/** Whole years between a birth date and a day, both YYYY-MM-DD. */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export function ageBand(age: number): AgeBand {
  if (age < 18) return '0-17';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  if (age < 65) return '55-64';
  if (age < 75) return '65-74';
  return '75+';
}

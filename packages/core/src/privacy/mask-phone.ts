/**
 * Phone numbers in open text: digit runs that read as a number someone could call, and not as
 * days, times, waits, scores, readings or codes, which are what feedback is made of.
 */

/** Hyphens and dashes people (and phones' keyboards) write: - ‐ ‑ ‒ – — ― −. */
export const DASH = '\\-\\u2010-\\u2015\\u2212';
/**
 * Digit runs with spaces, dashes, dots, middle dots or brackets between them (up to three, or a
 * dash, slash or dot between spaces: "040 - 123 4567", "040 . 123 4567"), with letters right
 * before or after them or not ("puh0401234567kiitos"): checked by `isPhoneAt`.
 */
export const PHONE_CANDIDATE = new RegExp(
  `(?<!\\p{N})(?:\\+|00)?\\(?\\d(?:(?:[\\s${DASH}./()_*\\u00B7]{0,3}|\\s[${DASH}/.]\\s)\\d){5,}(?!\\p{N})`,
  'gu',
);
const SPACED_HETU_DIGITS = /^[0-3]\d[01]\d\d\d\s\d{3}$/u;
/**
 * Days, times and readings people write: 12.3.2025, 12.3., 12., 2025-03-12, 12-03-2025,
 * 03/12/2025, 14.30, 14:30, a year, a ratio (9/10, a blood pressure 135/85).
 */
const DATE_OR_TIME = [
  /^\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?$/,
  /^\d{1,2}\.\d{1,2}$/,
  /^\d{1,2}\.$/,
  /^\d{4}-\d{1,2}-\d{1,2}$/,
  /^\d{1,2}-\d{1,2}-\d{4}$/,
  /^\d{1,2}\/\d{1,2}\/(?:\d{2}|\d{4})$/,
  /^[0-2]?\d[.:][0-5]\d$/,
  /^(?:19|20)\d\d$/,
  /^\d{1,3}\/\d{1,3}$/,
];
const isDateOrTime = (piece: string) => DATE_OR_TIME.some((re) => re.test(piece));
const DASH_OR_SLASH = new RegExp(`[${DASH}]|/`, 'u');
/** Opening hours in whole hours: 8–14. */
const HOURS_SHORT = new RegExp(`^(?:[01]?\\d|2[0-4])[${DASH}](?:[01]?\\d|2[0-4])$`, 'u');
/** Opening hours as four-digit times: 0800-1600. */
const HOURS_RANGE = new RegExp(`^[0-2]\\d[0-5]\\d\\s?[${DASH}]\\s?[0-2]\\d[0-5]\\d$`, 'u');
/** An IP address (no phone number starts 1–255 without a leading zero in four dotted parts). */
const IPV4 = /^[1-9]\d{0,2}(?:\.(?:0|[1-9]\d{0,2})){3}$/;
/** A Finnish mobile or an international number: a number from among letters even without a word that says so. */
const MOBILE_DIGITS = /^(?:0(?:4\d|50)\d{5,8}|358(?:4\d|50)\d{5,8}|00\d{8,13})$/;
/** A word that says a number follows: "puh 5123 4567", "Soita091234567", "ring mig på070-1234567". */
const PHONE_LABEL =
  /(?:(?<!\p{L})(?:soit\p{L}*|puh\p{L}*|tel|telefon\p{L}*|numero|numeroni|numeroon|numerooni|nummer|nummret|number|nro|gsm|mob\p{L}*|ring|ringa|call|phone|tfn|på)|\p{L}*puhelin\p{L}*)\.?:?\s*$/iu;

/** A word that says an identity code follows, glued to its digits ("hetu1505819001"): masked whatever it starts with. */
const HETU_LABEL = /(?:hetu\p{L}*|sotu|henkilötunnus\p{L}*|personnummer|personbeteckning)$/iu;

/** Whether a run of digits is days, times, readings, an IP address or scores ("10 10 9"), not a phone number. */
function isDatesOrTimes(text: string): boolean {
  const trimmed = text.trim().replace(/^\(|\)$/g, '');
  if (HOURS_RANGE.test(trimmed) || IPV4.test(trimmed)) return true;
  const words = trimmed.split(/\s+|\s*\/\s+|\s+\/\s*/u).filter((w) => w !== '');
  // "10 10 10", "9/10 9/10 9/10", "Arvosanat 9 8 10 9": scores, said again (a number read digit by digit starts with its 0)
  if (words.length > 1 && words.every((w) => w === words[0] && w.length <= 5)) return true;
  if (words.length > 2 && words[0] !== '0' && words.every((w) => /^\d{1,2}$/u.test(w) && Number(w) <= 10)) return true;
  return words.every(
    (word) => isDateOrTime(word) || HOURS_SHORT.test(word) || word.split(DASH_OR_SLASH).every((p) => p === '' || isDateOrTime(p)),
  );
}

function looksLikePhone(match: string): boolean {
  const digits = match.replace(/\D/g, '');
  if (digits.length < 7) return false;
  if (isDatesOrTimes(match)) return false;
  // Longer than any number: two numbers written one after the other (or some other long code).
  if (digits.length > 15) return true;
  return match.startsWith('+') || match.startsWith('00') || match.startsWith('0') || match.startsWith('(') || digits.length >= 9;
}

/**
 * A phone candidate `m` at `at` in `all`. After a word that says so ("puh 5123 4567"), seven
 * digits are enough. Among letters, a number is a mobile or international one, or one glued to a
 * word in lower case ("minulle0912341234", a typo; an upper-case prefix is a code: INC0012345,
 * AB01234567), or one that starts as phone numbers do with words only after it; not one with dots
 * (a version, "14.30-17.30 (3h)"). A time cut short by its colon ("2025-03-12 14" + ":30") is read whole.
 */
export function isPhoneAt(m: string, at: number, all: string): boolean {
  const before = all.slice(Math.max(0, at - 16), at);
  // (only the next few characters matter: the rest of a long comment is not copied per number)
  const after = all.slice(at + m.length, at + m.length + 3);
  // "010181 900C": a spaced hetu, masked as one afterwards, not a phone number and a letter.
  if (SPACED_HETU_DIGITS.test(m) && /^[0-9A-Y]/iu.test(after)) return false;
  const whole = /^:\d{2}/u.test(after) ? m + after.slice(0, 3) : m;
  const digits = m.replace(/\D/g, '');
  if (PHONE_LABEL.test(before)) return digits.length >= 7 && !isDatesOrTimes(whole);
  const prefix = /\p{L}+$/u.exec(before)?.[0];
  const glued = prefix !== undefined && /^[\d+]/u.test(m);
  if (!glued && !/^\p{L}/u.test(after)) return looksLikePhone(whole);
  if (m.trimStart().startsWith('+') || MOBILE_DIGITS.test(digits)) return true;
  if (m.includes('.')) return false;
  // (a code glued to a word starts otherwise: "tunnus123456789", "tilaus20250312001")
  if (glued) return (HETU_LABEL.test(prefix) || (/\p{Ll}/u.test(prefix) && /^[0+]/u.test(m))) && looksLikePhone(whole);
  return /^(?:0|\+|\()/u.test(m) && looksLikePhone(whole);
}

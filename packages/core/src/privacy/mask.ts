import { asciiDigit, NATIVE_DIGITS } from '../texts/native-digits.ts';
import { maskEmails } from './mask-email.ts';
import { DASH, isPhoneAt, PHONE_CANDIDATE } from './mask-phone.ts';
import { maskSpelledPhones } from './mask-spelled-phone.ts';

export { withoutEmailDigits } from './mask-email.ts';

/**
 * Open text is stored with identity codes, phone numbers and e-mail addresses masked, and capped
 * at COMMENT_MAX_LENGTH characters (a 1,600-character SMS, the longest Twilio delivers, is cut to
 * the first 1,000).
 */
export const COMMENT_MAX_LENGTH = 1000;

/**
 * Finnish henkilötunnus: DDMMYY (also 15.05.81), a century sign (+, -, A–F, U–Y since 2023, or any
 * dash, two, a slash, a dot or an underscore as people write it), NNN, a check character (a space
 * before it too). Letters may stand right before or after it ("hetu010181-900C",
 * "010181-900Ckiitos"): only a digit next to it makes it part of a longer number.
 */
const HETU = new RegExp(
  [
    `(?<!\\p{N})[0-3]\\d[01]\\d\\d\\d\\s?(?:[+A-FU-Y/._]|[${DASH}]{1,2})\\s?\\d{3}\\s?[0-9A-Y](?!\\p{N})`,
    // with dots in its date, only with a real sign ("12.03.25 / 1030" is a day and a time)
    `(?<!\\p{N})[0-3]\\d\\.[01]\\d\\.\\d\\d\\s?(?:[+A-FU-Y]|[${DASH}]{1,2})\\s?\\d{3}\\s?[0-9A-Y](?!\\p{N})`,
  ].join('|'),
  'giu',
);
/** The same with a space for the sign ("010181 900C"); looked for after phone numbers, which it resembles. */
const HETU_SPACED = /(?<!\p{N})[0-3]\d[01]\d\d\d\s\d{3}[0-9A-Y](?!\p{N})/giu;
/**
 * A hetu with its sign left out or spaces in odd places ("010181900C", "0101 81-900C"), known by
 * its check letter (a digit there could as well end a phone number, which is masked anyway); a
 * capital one also before a word in lower case ("150581900Ckiitos", not "091234567kiitos").
 */
const HETU_LOOSE = new RegExp(
  `(?<!\\p{N})[0-3]\\s?\\d\\s?[01]\\s?\\d(?:\\s?\\d){2}\\s?[${DASH}]?\\s?\\d(?:\\s?\\d){2}[A-FHJ-NPR-Y](?!\\p{N})`,
  'giu',
);
/** A real day and month, and a check letter that is a capital when a word follows it ("091234567kiitos" is a phone number). */
function isLooseHetu(m: string, next: string): boolean {
  const check = m.charAt(m.length - 1);
  return /^[0-3]\d[01]\d/u.test(m.replace(/\s/gu, '')) && (!/\p{L}/u.test(next) || check === check.toUpperCase());
}

/** Invisible characters that could split a number out of the masking's sight (zero-width, soft hyphen, BOM). */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]|\u034F/gu;
/** Full-width forms of ASCII (０４０, ＠) and other look-alikes (﹫, 𝟎): read as the ASCII they look like. */
const FULL_WIDTH = /[\uFF01-\uFF5E]/gu;
const LOOK_ALIKE = /[\uFE6B\u{1D7CE}-\u{1D7FF}]/gu;
/** A number in keycap digits ("0️⃣4️⃣0️⃣1️⃣2️⃣…"): its digits (a lone "9️⃣" stays as written). */
const KEYCAP_RUN = /(?:[0-9]\uFE0F?\u20E3){5,}/gu;

export function maskPersonalData(text: string): string {
  const plain = text
    .replace(INVISIBLE, '')
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(NATIVE_DIGITS, asciiDigit)
    .replace(LOOK_ALIKE, (c) => c.normalize('NFKC'))
    .replace(KEYCAP_RUN, (run) => run.replace(/\uFE0F|\u20E3/gu, ''));
  const masked = maskEmails(plain)
    .replace(HETU, '[hetu]')
    .replace(HETU_LOOSE, (m, at: number, all: string) => (isLooseHetu(m, all.charAt(at + m.length)) ? '[hetu]' : m))
    .replace(PHONE_CANDIDATE, (m, at: number, all: string) => (isPhoneAt(m, at, all) ? '[phone]' : m))
    .replace(HETU_SPACED, '[hetu]');
  return maskSpelledPhones(masked);
}

/**
 * Masked, control characters removed, and capped: what is stored of a patient's words. The
 * direction overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069) go too: they would
 * reorder how the rest of the line shows on the dashboard and in a spreadsheet, and could hide a
 * number from the masking.
 */
export function storableComment(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never reach storage
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/gu, '').trim();
  const masked = maskPersonalData(clean);
  if (masked.length <= COMMENT_MAX_LENGTH) return masked;
  // Never cut a surrogate pair in half.
  const cut = masked.slice(0, COMMENT_MAX_LENGTH);
  return /[\uD800-\uDBFF]$/u.test(cut) ? cut.slice(0, -1) : cut;
}

/** What separates a number's digits, or an OID's parts, in an id: spaces, dashes, dots, slashes, brackets. */
const ID_SEPARATORS = new RegExp(`[\\s${DASH}./()]`, 'gu');
/** `+358…` or `00358…`, not inside a longer code (INC0012345). */
const INTERNATIONAL = /(?<![\dA-Za-z])(?:\+|00)\d{7,15}(?!\d)/u;
/** A Finnish mobile (04x, 050; 3584x, 35850 without its +), not inside a longer code or number. */
const FINNISH_MOBILE = /(?<![\dA-Za-z])(?:0(?:4\d|50)|358(?:4\d|50))\d{5,8}(?!\d)/u;

/**
 * Whether a record system's id field holds a phone number (a field mapped wrong at the source):
 * an international or a Finnish mobile number with only separators in it, or, in an id written as
 * words ("Soita 050 730 3158"), what the comment masking reads as one. A visit number
 * (2025111200123) or an OID is none.
 */
export function idHoldsPhone(id: string): boolean {
  const compact = id.replace(ID_SEPARATORS, '');
  if (INTERNATIONAL.test(compact) || FINNISH_MOBILE.test(compact)) return true;
  return /\S\s+\S/u.test(id) && maskPersonalData(id).includes('[phone]');
}

/** Whether an id field holds an e-mail address ("maija.testinen@example.org"), as the comment masking reads one. */
export function idHoldsEmail(id: string): boolean {
  return id.includes('@') && maskPersonalData(id).includes('[email]');
}

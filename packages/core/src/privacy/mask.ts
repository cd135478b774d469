/**
 * Open text is stored with identity codes, phone numbers and e-mail addresses masked, and capped
 * at COMMENT_MAX_LENGTH characters (a 1,600-character SMS, the longest Twilio delivers, is cut to
 * the first 1,000).
 */
export const COMMENT_MAX_LENGTH = 1000;

/** Hyphens and dashes people (and phones' keyboards) write: - ‐ ‑ ‒ – — ― −. */
const DASH = '\\-\\u2010-\\u2015\\u2212';
/**
 * Finnish henkilötunnus: DDMMYY, a century sign (+, -, A–F, U–Y since 2023, or any dash or a
 * slash as people write it), NNN, a check character. Letters may stand right before or after it
 * ("hetu010181-900C", "010181-900Ckiitos"): only a digit next to it makes it part of a longer number.
 */
const HETU = new RegExp(`(?<!\\p{N})[0-3]\\d[01]\\d\\d\\d\\s?[+A-FU-Y/${DASH}]\\s?\\d{3}[0-9A-Y](?!\\p{N})`, 'giu');
/** The same with a space for the sign ("010181 900C"); looked for after phone numbers, which it resembles. */
const HETU_SPACED = /(?<!\p{N})[0-3]\d[01]\d\d\d\s\d{3}[0-9A-Y](?!\p{N})/giu;
/**
 * A hetu with its sign left out or spaces in odd places ("010181900C", "0101 81-900C"), known by
 * its check letter (a digit there could as well end a phone number, which is masked anyway).
 */
const HETU_LOOSE = new RegExp(
  `(?<!\\p{N})[0-3]\\s?\\d\\s?[01]\\s?\\d(?:\\s?\\d){2}\\s?[${DASH}]?\\s?\\d(?:\\s?\\d){2}[A-FHJ-NPR-Y](?![\\p{L}\\p{N}])`,
  'giu',
);
/** Where an address can start: not inside a word (looking from every letter of a long word took time squared). */
const WORD_START = '(?<![\\p{L}\\p{N}._%+-])';
const LOCAL = `${WORD_START}[\\p{L}\\p{N}._%+-]+`;
/** A local part with a letter in it ("10@asema" is a time and a place, not an address). */
const LOCAL_WORDY = `${WORD_START}[\\p{N}._%+-]*\\p{L}[\\p{L}\\p{N}._%+-]*`;
const LABEL = '[\\p{L}\\p{N}-]+';
/**
 * "@", or "at" in brackets as people write it to get past filters: (at) [at] {at} <at> (ät), and
 * (a) written tight ("maija(a)example.fi"; spaced, "(a)" starts a list item).
 */
const AT_SIGN = '\\s?(?:@|[(\\[{<]\\s?(?:at|ät)\\s?[)\\]}>])\\s?|[(\\[]a[)\\]]';
const DOT_SIGN = '\\.|[(\\[{<]\\s?(?:dot|piste|punkt)\\s?[)\\]}>]';
/** An address with an "@" (or a bracketed "at"), and one typo'd without its dot, written tight ("maija@examplefi"). */
const EMAIL = new RegExp(`${LOCAL}(?:${AT_SIGN})${LABEL}(?:\\s?(?:${DOT_SIGN})\\s?${LABEL})+|${LOCAL_WORDY}@${LABEL}`, 'giu');
/**
 * An address spelt out: "maija.testinen at example dot fi", "maija snabel-a example punkt fi",
 * "maija dot testinen at gmail dot com" (a spelt "dot" is needed: "waited at home" is no address),
 * or "maija.testinen at gmail.com" with a real dot before a common top-level domain.
 */
const SPELT_AT_WORD = 'at|ät|ätt|miukumauku|kissanhäntä|snabel-a';
const SPELT_AT = `\\s+(?:${SPELT_AT_WORD})\\s+|-at-`;
const SPELT_DOT = '\\s+(?:dot|piste|punkt)\\s+|[(\\[{<](?:dot|piste|punkt)[)\\]}>]';
const EMAIL_SPELT = new RegExp(
  `(?:${LOCAL}\\s+(?:dot|piste|punkt)\\s+)*${LOCAL}(?:${SPELT_AT})${LABEL}(?:(?:${SPELT_DOT})${LABEL})+`,
  'giu',
);
/**
 * "maija.testinen at gmail.com", "maija at luukku . com": a spelt "at" before a domain with real dots,
 * when the part before it looks like an address's (a dot, an underscore or a digit among letters)
 * or the domain is a mail service's ("Booking at hus.fi" is a web site, not an address).
 */
const MAIL_SERVICES =
  'gmail|googlemail|hotmail|outlook|live|msn|yahoo|icloud|me|luukku|kolumbus|suomi24|elisanet|saunalahti|welho|netti|pp\\.inet|gmx|proton|protonmail|telia|dnainternet';
const EMAIL_SPELT_AT = new RegExp(
  `(?:${LOCAL}\\s+(?:dot|piste|punkt)\\s+)*(?:${WORD_START}\\p{L}+[._\\d][\\p{L}\\p{N}._%+-]*\\s+(?:${SPELT_AT_WORD})\\s+\\p{L}${LABEL}|${LOCAL_WORDY}\\s+(?:${SPELT_AT_WORD})\\s+(?:${MAIL_SERVICES})|${LOCAL_WORDY}-at-\\p{L}${LABEL})(?:\\s?\\.\\s?${LABEL})*\\s?\\.\\s?\\p{L}{2,6}(?![\\p{L}\\p{N}])`,
  'giu',
);
/**
 * Digit runs with spaces, dashes, dots or brackets between them (at most two, or a dash between
 * spaces: "040 - 123 4567"), with letters right before or after them or not ("puh0401234567kiitos"):
 * checked by `looksLikePhone`.
 */
const PHONE_CANDIDATE = new RegExp(`(?<!\\p{N})(?:\\+|00)?\\(?\\d(?:(?:[\\s${DASH}./()_*]{0,2}|\\s[${DASH}/]\\s)\\d){5,}(?!\\p{N})`, 'gu');
const SPACED_HETU_DIGITS = /^[0-3]\d[01]\d\d\d\s\d{3}$/u;
/** Days and times people write: 12.3.2025, 12.3., 2025-03-12, 12-03-2025, 03/12/2025, 14.30, 14:30. */
const DATE_OR_TIME = [
  /^\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?$/,
  /^\d{4}-\d{1,2}-\d{1,2}$/,
  /^\d{1,2}-\d{1,2}-\d{4}$/,
  /^\d{1,2}\/\d{1,2}\/(?:\d{2}|\d{4})$/,
  /^[0-2]?\d[.:][0-5]\d$/,
];
const isDateOrTime = (piece: string) => DATE_OR_TIME.some((re) => re.test(piece));
/** Opening hours as four-digit times: 0800-1600. */
const HOURS_RANGE = new RegExp(`^[0-2]\\d[0-5]\\d\\s?[${DASH}]\\s?[0-2]\\d[0-5]\\d$`, 'u');
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** A Finnish mobile or an international number, the only numbers taken from among letters ("puh0401234567kiitos"). */
const MOBILE_DIGITS = /^(?:0(?:4\d|50)\d{5,8}|358(?:4\d|50)\d{5,8}|00\d{8,13})$/;
/** A word that says a number follows: "puh0401234567", "Soita091234567", "ring mig på070-1234567". */
const PHONE_LABEL =
  /(?:soit\p{L}*|puh\p{L}*|tel\p{L}*|numero\p{L}*|nummer\p{L}*|nro|gsm|mob\p{L}*|ring\p{L}*|call\p{L}*|phone\p{L}*|tfn|på)\.?:?$/iu;

/** Whether a run of digits is days, times, an IP address or one number said again ("10 10 10"), not a phone number. */
function isDatesOrTimes(text: string): boolean {
  const trimmed = text.trim().replace(/^\(|\)$/g, '');
  if (HOURS_RANGE.test(trimmed) || IPV4.test(trimmed)) return true;
  const words = trimmed.split(/\s+/u);
  // "10 10 10", "9/10 9/10 9/10": a score said again
  if (words.length > 1 && words.every((w) => w === words[0] && w.length <= 5)) return true;
  return words.every((word) => isDateOrTime(word) || word.split(new RegExp(`[${DASH}]`, 'u')).every((p) => p === '' || isDateOrTime(p)));
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
 * A phone candidate at `at` in `all`: a number among letters is one only when it is a mobile or
 * international number, or a word such as "puh" says so (a code such as INC0012345 or a duration
 * such as "14.30-17.30 (3h)" is not); a time cut short by its colon ("2025-03-12 14" + ":30")
 * is read whole.
 */
function isPhoneAt(m: string, at: number, all: string): boolean {
  const before = all.slice(Math.max(0, at - 12), at);
  const after = all.slice(at + m.length);
  // "010181 900C": a spaced hetu, masked as one afterwards, not a phone number and a letter.
  if (SPACED_HETU_DIGITS.test(m) && /^[0-9A-Y]/iu.test(after)) return false;
  const whole = /^:\d{2}/u.test(after) ? m + after.slice(0, 3) : m;
  const lettersBefore = /\p{L}$/u.test(before);
  if ((lettersBefore || /^\p{L}/u.test(after)) && !PHONE_LABEL.test(before)) {
    if (m.trimStart().startsWith('+') || MOBILE_DIGITS.test(m.replace(/\D/g, ''))) return true;
    // Words only after it ("091234567kiitos"): a number that starts as phone numbers do; a code or a
    // duration has letters before it or dots in it ("INC0012345", "14.30-17.30 (3h)").
    return !lettersBefore && /^(?:0|\+)/u.test(m) && !m.includes('.') && looksLikePhone(whole);
  }
  return looksLikePhone(whole);
}

/** Invisible characters that could split a number out of the masking's sight (zero-width, soft hyphen, BOM). */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]|\u034F/gu;
/** Full-width forms of ASCII (０４０, ＠) and other look-alikes (﹫, 𝟎): read as the ASCII they look like. */
const FULL_WIDTH = /[\uFF01-\uFF5E]/gu;
const LOOK_ALIKE = /[\uFE6B\u{1D7CE}-\u{1D7FF}]/gu;

export function maskPersonalData(text: string): string {
  const plain = text
    .replace(INVISIBLE, '')
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(LOOK_ALIKE, (c) => c.normalize('NFKC'));
  return maskEmails(plain)
    .replace(HETU, '[hetu]')
    .replace(HETU_LOOSE, (m) => (/^[0-3]\d[01]\d/u.test(m.replace(/\s/gu, '')) ? '[hetu]' : m))
    .replace(PHONE_CANDIDATE, (m, at: number, all: string) => (isPhoneAt(m, at, all) ? '[phone]' : m))
    .replace(HETU_SPACED, '[hetu]');
}

/** E-mail addresses as `[email]`. */
function maskEmails(text: string): string {
  return text.replace(EMAIL, '[email]').replace(EMAIL_SPELT, '[email]').replace(EMAIL_SPELT_AT, '[email]');
}

/**
 * The text with the digits of its e-mail addresses as `x`, before a reply is read for its score
 * ("ville.9@luukku.com" holds no 9); same length, so that the reason is cut where it stood.
 */
export function withoutEmailDigits(text: string): string {
  const hide = (m: string) => m.replace(/\d/gu, 'x');
  return text.replace(EMAIL, hide).replace(EMAIL_SPELT, hide).replace(EMAIL_SPELT_AT, hide);
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

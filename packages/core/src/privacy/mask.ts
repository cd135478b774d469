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
const EMAIL = /[\p{L}\p{N}._%+-]+\s?(?:@|\((?:at|a)\)|\[(?:at|a)\])\s?[\p{L}\p{N}-]+(?:\s?\.\s?[\p{L}\p{N}-]+)+/giu;
/** An address spelt out to get past filters: "maija.testinen at example dot fi" (a "dot" is needed). */
const EMAIL_SPELT = /[\p{L}\p{N}._%+-]+\s+(?:at|ät|miukumauku)\s+[\p{L}\p{N}-]+(?:\s+(?:dot|piste|punkt)\s+[\p{L}\p{N}-]+)+/giu;
/**
 * Digit runs with spaces, dashes, dots or brackets between them (at most two, or a dash between
 * spaces: "040 - 123 4567"), with letters right before or after them or not ("puh0401234567kiitos"):
 * checked by `looksLikePhone`.
 */
const PHONE_CANDIDATE = new RegExp(`(?<!\\p{N})(?:\\+|00)?\\(?\\d(?:(?:[\\s${DASH}./()]{0,2}|\\s[${DASH}]\\s)\\d){5,}(?!\\p{N})`, 'gu');
const DATE = /^\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?$/;
const SPACED_HETU_DIGITS = /^[0-3]\d[01]\d\d\d\s\d{3}$/u;

function looksLikePhone(match: string): boolean {
  const digits = match.replace(/\D/g, '');
  if (digits.length < 7) return false;
  // A date such as 12.3.2025, or a range of them, is not a phone number.
  const pieces = match.trim().split(new RegExp(`\\s*[${DASH}]\\s*|\\s+`, 'u'));
  if (pieces.every((piece) => DATE.test(piece))) return false;
  // Longer than any number: two numbers written one after the other (or some other long code).
  if (digits.length > 15) return true;
  return match.startsWith('+') || match.startsWith('00') || match.startsWith('0') || match.startsWith('(') || digits.length >= 9;
}

export function maskPersonalData(text: string): string {
  return text
    .replace(HETU, '[hetu]')
    .replace(EMAIL, '[email]')
    .replace(EMAIL_SPELT, '[email]')
    .replace(PHONE_CANDIDATE, (m, at: number, all: string) =>
      // "010181 900C": a spaced hetu, masked as one below, not a phone number and a letter.
      SPACED_HETU_DIGITS.test(m) && /^[0-9A-Y]/iu.test(all.slice(at + m.length)) ? m : looksLikePhone(m) ? '[phone]' : m,
    )
    .replace(HETU_SPACED, '[hetu]');
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

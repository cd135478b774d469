/**
 * Open text is stored with identity codes, phone numbers and e-mail addresses masked, and capped
 * at COMMENT_MAX_LENGTH characters (a 1,600-character SMS, the longest Twilio delivers, is cut to
 * the first 1,000).
 */
export const COMMENT_MAX_LENGTH = 1000;

/** Finnish henkilötunnus: DDMMYY, a century sign (+, -, A–F, U–Y since 2023), NNN, a check character. */
const HETU = /(?<![\p{L}\p{N}])[0-3]\d[01]\d\d\d\s?[-+A-FU-Y]\s?\d{3}[0-9A-Y](?![\p{L}\p{N}])/giu;
const EMAIL = /[\p{L}\p{N}._%+-]+\s?(?:@|\(at\)|\[at\])\s?[\p{L}\p{N}-]+(?:\s?\.\s?[\p{L}\p{N}-]+)+/giu;
/** Digit runs with spaces, dashes, dots or brackets between them: checked by `looksLikePhone`. */
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}])(?:\+|00)?\(?\d(?:[\s\-./()]{0,2}\d){5,16}(?![\p{L}\p{N}])/gu;

function looksLikePhone(match: string): boolean {
  const digits = match.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  // A date such as 12.3.2025 or 1.12.2024 is not a phone number.
  if (/^\d{1,2}\.\d{1,2}\.\d{2,4}$/.test(match.trim())) return false;
  return match.startsWith('+') || match.startsWith('00') || match.startsWith('0') || match.startsWith('(') || digits.length >= 9;
}

export function maskPersonalData(text: string): string {
  return text
    .replace(HETU, '[hetu]')
    .replace(EMAIL, '[email]')
    .replace(PHONE_CANDIDATE, (m) => (looksLikePhone(m) ? '[phone]' : m));
}

/** Masked, control characters removed, and capped: what is stored of a patient's words. */
export function storableComment(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never reach storage
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/gu, '').trim();
  const masked = maskPersonalData(clean);
  if (masked.length <= COMMENT_MAX_LENGTH) return masked;
  // Never cut a surrogate pair in half.
  const cut = masked.slice(0, COMMENT_MAX_LENGTH);
  return /[\uD800-\uDBFF]$/u.test(cut) ? cut.slice(0, -1) : cut;
}

/** Masks identity codes, phone numbers and e-mail addresses in free text. */
const HETU = /\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b/gi;
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
const PHONE = /(?<![\w])(\+?\d[\d\s-]{6,}\d)(?![\w])/g;

export const COMMENT_MAX_LENGTH = 1000;

export function maskPersonalData(text: string): string {
  return text.replace(HETU, '[hetu]').replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

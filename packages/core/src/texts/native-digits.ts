/**
 * Arabic-Indic (٠–٩) and Persian (۰–۹) digits, which Arabic, Persian and Kurdish phone keyboards
 * type: read as the digits 0–9 (`text.replace(NATIVE_DIGITS, asciiDigit)`), so that "٩" answers
 * the survey as "9" does and a phone number written in them is masked like any other. (NFKC
 * leaves them as they are; full-width digits it already reads as ASCII.)
 */
export const NATIVE_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/gu;

export const asciiDigit = (digit: string): string => String((digit.codePointAt(0) as number) & 0xf);

/**
 * The signs written with those digits: the decimal and thousands separators and the per cent sign
 * ("٣٨٫٥" is 38.5, not a 5; a regression probe), and the comma, semicolon and question mark, read
 * as their ASCII forms (`text.replace(ARABIC_SIGNS, asciiSign)`).
 */
export const ARABIC_SIGNS = /[\u060C\u061B\u061F\u066A-\u066C]/gu;
const SIGNS: Record<string, string> = { '\u060C': ',', '\u061B': ';', '\u061F': '?', '\u066A': '%', '\u066B': '.', '\u066C': ',' };
export const asciiSign = (sign: string): string => SIGNS[sign] ?? sign;

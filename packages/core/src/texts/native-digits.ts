/**
 * Arabic-Indic (٠–٩) and Persian (۰–۹) digits, which Arabic, Persian and Kurdish phone keyboards
 * type: read as the digits 0–9 (`text.replace(NATIVE_DIGITS, asciiDigit)`), so that "٩" answers
 * the survey as "9" does and a phone number written in them is masked like any other. (NFKC
 * leaves them as they are; full-width digits it already reads as ASCII.)
 */
export const NATIVE_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/gu;

export const asciiDigit = (digit: string): string => String((digit.codePointAt(0) as number) & 0xf);

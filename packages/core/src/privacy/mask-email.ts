/**
 * E-mail addresses in open text, as people write them and as they write them to get past filters.
 * Used by `maskPersonalData` (stored comments) and, stricter, before a reply is read for its score.
 */

/** Where an address can start: not inside a word (looking from every letter of a long word took time squared). */
const WORD_START = '(?<![\\p{L}\\p{N}._%+-])';
const LOCAL = `${WORD_START}[\\p{L}\\p{N}._%+-]+`;
/** A local part with a letter in it ("10@asema" is a time and a place, "9 @ ER" a score and a place). */
const LOCAL_WORDY = `${WORD_START}[\\p{N}._%+-]*\\p{L}[\\p{L}\\p{N}._%+-]*`;
/** A local part that looks like an address's: letters, then a dot, an underscore or a digit ("kaisa.lehtonen"). */
const LOCAL_ISH = `${WORD_START}\\p{L}+[._\\d][\\p{L}\\p{N}._%+-]*`;
/**
 * A domain's label: letters, digits and hyphens, never "-dot-" or "-at-" inside (those are spelt
 * signs; a label that could swallow them made matching "x-at-y-dot-…" take exponential time).
 * The first label starts with a letter ("aika @ 14.30" is a time).
 */
const LABEL_CHAR = '(?:(?!-dot-|-at-)[\\p{L}\\p{N}-])';
const LABEL = `${LABEL_CHAR}+`;
const FIRST_LABEL = `\\p{L}${LABEL_CHAR}*`;
/**
 * "@" (also doubled, or with a space or two around it), or "at" or "@" between brackets or marks
 * as people write it to get past filters: (at) [at] {at} <at> /at/ *at* #at# (ät) (@).
 */
const AT_SIGN = '\\s{0,2}(?:@{1,2}|[(\\[{<*#/]\\s?(?:at|ät|@)\\s?[)\\]}>*#/])\\s{0,2}';
/** "(a)" as the "@": tight ("maija(a)example.fi"), or spaced after an address-like name or before a mail service (a spaced "(a)" starts a list item). */
const A_TIGHT = '[(\\[]a[)\\]]';
/** Common top-level domains, for a dot with a space on one side only ("gmail. com", "gmail .fi"). */
const TLD = '(?:com|fi|net|org|se|eu|info|io|nu|ax|de|uk|ee|no|dk)(?![\\p{L}\\p{N}])';
/**
 * A dot: tight, with a space on both sides ("gmail . com"), or on one side before a common
 * top-level domain ("gmail. com", autocorrect's space), or spelt in brackets, spaced or not
 * ("example (dot) fi"); "Malmi. Good" is a sentence's end.
 */
const DOT_SIGN = `(?:\\.|\\s\\.\\s|\\.\\s(?=${TLD})|\\s\\.(?=${TLD})|\\s{0,2}[(\\[{<]\\s?(?:dot|piste|punkt)\\s?[)\\]}>]\\s{0,2}|-dot-)`;
const DOMAIN = `${FIRST_LABEL}(?:${DOT_SIGN}${LABEL})+`;
/** A typo'd address without its dot, written tight, with a top-level domain glued on ("maija@examplefi"). */
const DOTLESS = `${LOCAL_WORDY}@\\p{L}[\\p{L}\\p{N}-]*(?:com|fi|net|org|se)(?![\\p{L}\\p{N}])`;
/** Mail services' domains: after a spelt or spaced "at", the name need not look like an address's. */
const MAIL_SERVICES =
  'gmail|googlemail|hotmail|outlook|msn|yahoo|icloud|luukku|kolumbus|suomi24|elisanet|saunalahti|welho|netti|pp\\.inet|gmx|proton|protonmail|telia|dnainternet';

/**
 * The front of a name whose dots are spelt, as a word or in brackets: "ulrika dot " and
 * "ulrika[dot]" of "ulrika dot zorro@…", "ulrika[dot]zorro at gmail dot com".
 */
const LOCAL_DOTS = `(?:${LOCAL}(?:\\s+(?:dot|piste|punkt)\\s+|\\s{0,2}[(\\[{<]\\s?(?:dot|piste|punkt)\\s?[)\\]}>]\\s{0,2}))*`;

const EMAIL = new RegExp(
  [
    `${LOCAL_DOTS}${LOCAL}(?:${AT_SIGN}|${A_TIGHT})${DOMAIN}`,
    `${LOCAL_ISH}\\s${A_TIGHT}\\s${DOMAIN}`,
    `${LOCAL_WORDY}\\s${A_TIGHT}\\s(?:${MAIL_SERVICES})(?:${DOT_SIGN}${LABEL})+`,
    DOTLESS,
  ].join('|'),
  'giu',
);
/** For the score parser: the name must hold a letter ("9 @ ER.Thanks", "10@hus.fi" are scores). */
const EMAIL_WORDY = new RegExp(`${LOCAL_WORDY}(?:${AT_SIGN}|${A_TIGHT})${DOMAIN}|${DOTLESS}`, 'giu');

/**
 * An address spelt out: "maija.testinen at example dot fi", "maija snabel-a example punkt fi",
 * "maija dot testinen at gmail dot com", "kaisa.lehtonen-at-esimerkki-dot-fi" (a spelt "dot" is
 * needed: "waited at home" is no address).
 */
const SPELT_AT_WORD = 'at|ät|ätt|miukumauku|kissanhäntä|snabel-?a|snabel a|at-merkki';
const SPELT_AT = `\\s+(?:${SPELT_AT_WORD})\\s+|[-_]at[-_]`;
const SPELT_DOT = '\\s+(?:dot|piste|punkt)\\s+|[(\\[{<](?:dot|piste|punkt)[)\\]}>]|-dot-';
const speltWith = (local: string) => new RegExp(`${LOCAL_DOTS}${local}(?:${SPELT_AT})${LABEL}(?:(?:${SPELT_DOT})${LABEL})+`, 'giu');
const EMAIL_SPELT = speltWith(LOCAL);
/** For the score parser: "9 at hus dot fi" is a 9 and a place. */
const EMAIL_SPELT_WORDY = speltWith(LOCAL_WORDY);
/**
 * "maija.testinen at gmail.com", "maija at luukku . com": a spelt "at" before a domain with real
 * dots, when the name looks like an address's or the domain is a mail service's ("Booking at
 * hus.fi" is a web site, "smiled at me. Very kind" a sentence).
 */
const EMAIL_SPELT_AT = new RegExp(
  `${LOCAL_DOTS}(?:${LOCAL_ISH}\\s+(?:${SPELT_AT_WORD})\\s+${FIRST_LABEL}|${LOCAL_WORDY}\\s+(?:${SPELT_AT_WORD})\\s+(?:${MAIL_SERVICES})|${LOCAL_WORDY}[-_]at[-_]${FIRST_LABEL})(?:${DOT_SIGN}${LABEL})*${DOT_SIGN}\\p{L}{2,6}(?![\\p{L}\\p{N}])`,
  'giu',
);
/** What is left of "email me at kaisa dot lehtonen at esimerkki dot fi" once "me at kaisa…" is masked. */
const EMAIL_REST = new RegExp(`\\[email\\](?:${SPELT_AT})${LABEL}(?:(?:${SPELT_DOT}|${DOT_SIGN})${LABEL})+`, 'giu');

/** The front of an address spaced out around its dots ("maija . testinen @ example . org"), left before its mask. */
const EMAIL_SPACED_FRONT = /(?<![\p{L}\p{N}._%+-])(?:[\p{L}\p{N}_%+-]+\s\.\s)+\[email\]/gu;

/** A spelt address ending in a capital ("Dr.Virtanen at Meilahti.Very kind") is a sentence run on. */
const endsInCapital = (m: string) => /\.\s?\p{Lu}\p{L}*$/u.test(m);

/** E-mail addresses as `[email]`. */
export function maskEmails(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(EMAIL_SPELT, '[email]')
    .replace(EMAIL_SPELT_AT, (m) => (endsInCapital(m) ? m : '[email]'))
    .replace(EMAIL_REST, '[email]')
    .replace(EMAIL_SPACED_FRONT, '[email]');
}

/**
 * The text with the digits of its e-mail addresses as `x`, before a reply is read for its score
 * ("ville.9@luukku.com" holds no 9); same length, so that the reason is cut where it stood.
 */
export function withoutEmailDigits(text: string): string {
  const hide = (m: string) => m.replace(/\d/gu, 'x');
  return text
    .replace(EMAIL_WORDY, hide)
    .replace(EMAIL_SPELT_WORDY, hide)
    .replace(EMAIL_SPELT_AT, (m) => (endsInCapital(m) ? m : hide(m)));
}

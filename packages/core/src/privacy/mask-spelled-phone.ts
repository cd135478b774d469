/**
 * Phone numbers written out in words, as people dictate them ("nolla neljä nolla yksi yksi yksi
 * nolla nolla nolla viisi", "noll fyra noll …", "zero four zero …"), perhaps beside digits
 * ("040 yksi yksi yksi …"). The digit masking cannot see them; this reads them as digits.
 */

const DIGIT_WORDS: Readonly<Record<string, string>> = {
  // Finnish, also as spoken
  nolla: '0',
  yksi: '1',
  yks: '1',
  kaksi: '2',
  kaks: '2',
  kolme: '3',
  neljä: '4',
  viisi: '5',
  viis: '5',
  kuusi: '6',
  kuus: '6',
  seitsemän: '7',
  seittemän: '7',
  kahdeksan: '8',
  kaheksan: '8',
  yhdeksän: '9',
  yheksän: '9',
  // Swedish
  noll: '0',
  ett: '1',
  en: '1',
  två: '2',
  tre: '3',
  fyra: '4',
  fem: '5',
  sex: '6',
  sju: '7',
  åtta: '8',
  nio: '9',
  // English
  zero: '0',
  oh: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

/** A word, a group of digits or a plus sign, and what separates it from the next. */
const TOKEN = /(\p{L}+|\d+|\+)([\s,.\-–/]*)/gu;
/**
 * Digits said as words in a dictated number, at least: one zero word beside a date or a time
 * ("nolla, 12.3.2025", "Oh, 9.00-10.30") is feedback, not a number read out.
 */
const MIN_DIGIT_WORDS = 4;
/** Only worth reading when a number could start here: a zero word or a plus. */
const MAY_START = /(?<!\p{L})(?:nolla|noll|zero|oh|plus)(?!\p{L})|\+/iu;

/** A mobile or landline number as dictated: from a zero, 7–12 digits; from a plus, 8–15. */
function isPhoneDigits(digits: string, fromPlus: boolean): boolean {
  return fromPlus ? digits.length >= 8 && digits.length <= 15 : digits.startsWith('0') && digits.length >= 7 && digits.length <= 12;
}

export function maskSpelledPhones(text: string): string {
  if (!MAY_START.test(text)) return text;
  const tokens = [...text.matchAll(TOKEN)].map((m) => ({
    at: m.index,
    word: m[1] as string,
    end: m.index + (m[1] as string).length,
    sep: m[2] as string,
  }));
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i] as (typeof tokens)[number];
    const fromPlus = first.word === '+' || first.word.toLowerCase() === 'plus';
    let digits = '';
    let words = 0;
    let best = -1;
    for (let j = fromPlus ? i + 1 : i; j < tokens.length; j++) {
      const t = tokens[j] as (typeof tokens)[number];
      const previous = tokens[j - 1];
      // Each part follows the one before with only separators between them.
      if (j > i && previous && previous.end + previous.sep.length !== t.at) break;
      const digit = /^\d{1,4}$/u.test(t.word) ? t.word : DIGIT_WORDS[t.word.toLowerCase()];
      if (digit === undefined) break;
      if (!/^\d/u.test(t.word)) words++;
      digits += digit;
      if (words >= MIN_DIGIT_WORDS && isPhoneDigits(digits, fromPlus)) best = j;
    }
    if (best >= 0) {
      spans.push([first.at, (tokens[best] as (typeof tokens)[number]).end]);
      i = best;
    }
  }
  let out = text;
  for (const [from, to] of spans.reverse()) out = `${out.slice(0, from)}[phone]${out.slice(to)}`;
  return out;
}

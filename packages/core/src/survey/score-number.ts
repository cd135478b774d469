/** Reading one number (digits or a word) and what follows it: its scale, unit or modifier. */
import { editDistance, squeeze, type Token } from './reply-tokens.ts';
import {
  COUNT_NOUN_AFTER,
  countFollows,
  LISTED_COUNT_AFTER,
  OTHER_SCALE_AFTER,
  SCORE_UNIT_AFTER,
  SINGLE_COUNT_AFTER,
  someOf,
  UNIT_AFTER,
} from './score-context.ts';
import { COUNT_AFTER_BELOW_TEN, DOUBTFUL_TIME_AFTER, SMALL_COUNT_AFTER } from './score-doubt.ts';
import { DECIMAL_WORDS, DENOMINATOR_WORDS, NOT_SCORE_WORDS, SCORE_WORDS, STRICT_SCORE_WORDS } from './score-lexicon.ts';
import type { NotAScore } from './score-parser.ts';

/** What a number (or number word) in the text is. */
export interface Reading {
  type: 'score' | 'bad' | 'context';
  value: number;
  why?: NotAScore;
  /** First and last token of the number and its own suffix ("9/10", "9 pistettä", "9:n"). */
  first: number;
  last: number;
  /** A scale or score unit after it makes it plainly a score ("8/10", "nine out of ten"). */
  explicit: boolean;
  /** Only a score when the message is just this word or a label/scale says so ("one", "kaksi"). */
  strict: boolean;
  /** Swedish grade forms, after which "en" is an article, not the Finnish "en" (I don't). */
  swedish: boolean;
  /** A context reading that still makes a different score in the message ambiguous (a count, a tooth, an ordinal). */
  doubt?: boolean;
}

const LONG_NUMERALS = Object.entries(SCORE_WORDS).filter(([w]) => w.length >= 7);

export function numberWord(word: string): { value: number; strict: boolean } | null {
  const w = squeeze(word);
  if (NOT_SCORE_WORDS.has(w)) return null;
  const plain = SCORE_WORDS[w];
  if (plain !== undefined) return { value: plain, strict: false };
  const strict = STRICT_SCORE_WORDS[w];
  if (strict !== undefined) return { value: strict, strict: true };
  // "tiooo", "Niooo!", "Nineeee": a final letter held long.
  const held = /(\p{L})\1{2,}$/u.test(word.toLowerCase()) ? w.replace(/(\p{L})\1+$/u, '$1') : null;
  if (held && held !== w) {
    const h = numberWord(held);
    if (h) return h;
  }
  if (w.length >= 7) {
    for (const [known, value] of LONG_NUMERALS) if (editDistance(w, known, 1) <= 1) return { value, strict: false };
  }
  return null;
}

function denominator(t: Token | undefined): number | null {
  if (!t) return null;
  if (t.kind === 'num') return t.text.length <= 3 ? Number(t.text) : null;
  if (t.kind === 'word') return DENOMINATOR_WORDS[t.lower] ?? numberWord(t.lower)?.value ?? null;
  return null;
}

/** Star emoji: a rating on a scale of stars. */
export const STAR_EMOJI = /^[\u2B50\u{1F31F}\u2605\u2606]/u;

/** Looks at what follows a number ending at token `last`: a scale, a unit, a modifier. */
export function readSuffix(tokens: Token[], value: number, last: number): Omit<Reading, 'first' | 'strict' | 'swedish'> {
  const at = (k: number) => tokens[k];
  const next = at(last + 1);
  const base = { type: 'score' as const, value, last, explicit: false };
  if (!next) return base;
  const attached = next.gap === '';
  // "9/10", "9 / 10", "4/5", "12/3"
  if (next.text === '/') {
    const d = denominator(at(last + 2));
    if (d === null) return base;
    const after = at(last + 3);
    if (after && after.gap === '' && (after.text === '/' || after.text === '.') && at(last + 4)?.kind === 'num') {
      return { type: 'context', value, last: last + 4, explicit: false };
    }
    if (d === 10) return { ...base, last: last + 2, explicit: true };
    // "12/3" (a date), "24/7": not a rating on another scale either.
    if (value > d) return { type: 'context', value, last: last + 2, explicit: false };
    return { type: 'bad', why: 'other-scale', value, last: last + 2, explicit: true };
  }
  // "9 out of 10", "9 of 10", "9 av 10", "nine out of ten"
  if (next.kind === 'word' && (next.lower === 'out' || next.lower === 'outta' || next.lower === 'of' || next.lower === 'av')) {
    const skip = next.lower === 'out' && at(last + 2)?.lower === 'of' ? 2 : 1;
    const d = denominator(at(last + 1 + skip));
    if (d === 10) return { ...base, last: last + 1 + skip, explicit: true };
    if (d !== null) return { type: 'bad', why: 'other-scale', value, last: last + 1 + skip, explicit: true };
    if (someOf(tokens, last)) return { type: 'context', value, last: last + 2, explicit: false };
    return base;
  }
  // "9 10:stä", "9 kymmenestä", "4 viidestä"
  if (next.kind === 'num' && at(last + 2)?.text === ':' && /^st[aä]$/u.test(at(last + 3)?.lower ?? '')) {
    if (next.text === '10') return { ...base, last: last + 3, explicit: true };
    return { type: 'bad', why: 'other-scale', value, last: last + 3, explicit: true };
  }
  if (next.kind === 'word' && DENOMINATOR_WORDS[next.lower] !== undefined && /st[aä]$/u.test(next.lower)) {
    if (DENOMINATOR_WORDS[next.lower] === 10) return { ...base, last: last + 1, explicit: true };
    return { type: 'bad', why: 'other-scale', value, last: last + 1, explicit: true };
  }
  if (next.text === '+' && attached) {
    return value === 10 ? { ...base, last: last + 1 } : { type: 'bad', why: 'modifier', value, last: last + 1, explicit: false };
  }
  // "nio komma fem", "kasi pilkku viis", "nine point five": a decimal said in words.
  if (next.kind === 'word' && DECIMAL_WORDS.has(next.lower) && (at(last + 2)?.kind === 'num' || numberWord(at(last + 2)?.lower ?? ''))) {
    return { type: 'bad', why: 'decimal', value, last: last + 2, explicit: false };
  }
  if (next.kind === 'word' && ['plus', 'miinus', 'minus', 'puoli', 'puol'].includes(next.lower)) {
    return value === 10 && next.lower === 'plus'
      ? { ...base, last: last + 1 }
      : { type: 'bad', why: 'modifier', value, last: last + 1, explicit: false };
  }
  if (next.kind === 'word' && (next.lower === 'och' || next.lower === 'and' || next.lower === 'ja')) {
    // "8 ja puoli", "ysi ja puol", "åtta och en halv", "eight and a half"
    const article = at(last + 2)?.lower === 'a' || at(last + 2)?.lower === 'en' ? 1 : 0;
    if (['puoli', 'puol', 'halv', 'half'].includes(at(last + 2 + article)?.lower ?? '')) {
      return { type: 'bad', why: 'modifier', value, last: last + 2 + article, explicit: false };
    }
  }
  if (['%', '€', '$', '£'].includes(next.text)) return { type: 'context', value, last: last + 1, explicit: false };
  // "9 o clock"
  if (next.lower === 'o' && at(last + 2)?.lower === 'clock') return { type: 'context', value, last: last + 2, explicit: false };
  // "5*", "4⭐": stars (a 10 with stars after it is a 10 dressed up: no star scale reaches 10; "*9*" is emphasis).
  const starred = (next.text === '*' && attached && at(last - 1)?.text !== '*') || STAR_EMOJI.test(next.text);
  if (starred && value <= 5) return { type: 'bad', why: 'other-scale', value, last: last + 1, explicit: true };
  // "1 in a million", "one in ten": odds, not a rating.
  const inWhat = at(last + 2)?.lower === 'a' ? at(last + 3) : at(last + 2);
  if (next.lower === 'in' && inWhat && (denominator(inWhat) === 10 || /^(million|hundred|thousand|billion)$/u.test(inWhat.lower))) {
    return { type: 'context', value, last: last + 2, explicit: false };
  }
  if (next.kind === 'word') {
    if (SCORE_UNIT_AFTER.test(next.lower)) return { ...base, last: last + 1, explicit: true };
    // "2 t" (tunnin) is a duration; "9 t. Liisa" (terveisin) is a signature.
    if (next.lower === 't' && !(['.', ':'].includes(at(last + 2)?.text ?? '') && /^\p{Lu}/u.test(at(last + 3)?.text ?? ''))) {
      return { type: 'context', value, last: last + 1, explicit: false };
    }
    if (OTHER_SCALE_AFTER.test(next.lower)) return { type: 'bad', why: 'other-scale', value, last: last + 1, explicit: true };
    if (UNIT_AFTER.test(next.lower)) return { type: 'context', value, last: last + 1, explicit: false };
    // Likely something else; a different number beside it stays ambiguous.
    const then = at(last + 2);
    const pastHour = next.lower === 'past' && (then?.kind === 'num' || numberWord(then?.lower ?? '') !== null);
    // ("2 thumbs up", "1 million times better": plainly a count, beside a score)
    const fewOf = value <= 2 && SMALL_COUNT_AFTER.test(next.lower);
    if ((value < 10 && COUNT_AFTER_BELOW_TEN.test(next.lower)) || fewOf) return { type: 'context', value, last: last + 1, explicit: false };
    // ("8 thumbs up. parking 2/10": the 8 may be the score said with thumbs; the 2 is not stored)
    if (DOUBTFUL_TIME_AFTER.test(next.lower) || pastHour || (value < 10 && SMALL_COUNT_AFTER.test(next.lower))) {
      return { type: 'context', value, last: last + 1, explicit: false, doubt: true };
    }
    const listed = LISTED_COUNT_AFTER.test(next.lower) && (!at(last + 2) || at(last + 2)?.text === ':');
    const counted = listed || COUNT_NOUN_AFTER.test(next.lower) || (value === 1 && SINGLE_COUNT_AFTER.test(next.lower));
    if (counted && countFollows(tokens, last + 1)) return { type: 'context', value, last: last + 1, explicit: false };
    // "3 eri hoitajaa", "3 olika läkare", "3 different doctors": a count.
    if (/^(eri|olika|different)$/u.test(next.lower) && UNIT_AFTER.test(at(last + 2)?.lower ?? '')) {
      return { type: 'context', value, last: last + 2, explicit: false };
    }
    if (attached) return { type: 'context', value, last: last + 1, explicit: false };
  }
  if (next.kind === 'num' && attached) return { type: 'context', value, last: last + 1, explicit: false };
  return base;
}

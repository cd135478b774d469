import type { Token } from './reply-tokens.ts';
import { FILLER_WORDS } from './score-lexicon.ts';

/**
 * Replies in a script the parser has no words for (Arabic, Persian, Cyrillic …), from patients
 * whose texts are in `survey.otherLanguage`. Their negations, units, scales, times and dates are
 * unknown here: "не 10" (not 10), "боль 8" (pain 8), "۲ ساعت" (two hours), "10 ноября" (10
 * November), "приём в 10" (an appointment at 10) would all be stored as the score, and a misread
 * score is far worse than a re-ask (two regression probes). So such words may not stand before
 * the number, nor right after it; after a comma or a full stop they are a reason ("10, всё
 * хорошо"), and thanks or the word for points anywhere are filler ("١٠ شكرا", "8 баллов").
 */
const OTHER_SCRIPT = /[^\p{Script=Latin}\p{M}'’]/u;
const unread = (t: Token | undefined) => t?.kind === 'word' && OTHER_SCRIPT.test(t.text) && !FILLER_WORDS.has(t.lower);

export function unreadAroundNumber(tokens: Token[]): boolean {
  const first = tokens.findIndex((t) => t.kind === 'num');
  if (first < 0) return false;
  return tokens.slice(0, first).some(unread) || tokens.some((t, i) => t.kind === 'num' && unread(tokens[i + 1]));
}

/**
 * "9 из 10", "٩ من ١٠", "۹ از ۱۰": a score out of ten said in Russian, Ukrainian, Arabic or Persian,
 * read as "9/10" is (and "4 من 5" as "4/5", another scale); those words are everyday prepositions
 * elsewhere, so only between two numbers.
 */
export const FOREIGN_OUT_OF = /(\d+)\s*(?:из|із|з|من|از)\s*(\d+)/gu;

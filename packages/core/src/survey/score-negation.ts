/** When a number that looks like the score is denied or made conditional: "ei kymppi", "not a 10", "a 10 if not for the wait". */
import { CLAUSE_END, SENTENCE_END, startsClause, type Token } from './reply-tokens.ts';
import {
  HONESTLY,
  LABEL_WORDS,
  NEGATION_GLUE,
  NEGATION_WORDS,
  PARTITIVE,
  SWEDISH_GRADE_ADJECTIVE,
  SWEDISH_LABEL,
} from './score-lexicon.ts';
import type { Reading } from './score-number.ts';

/** Finnish verbs that deny a grade named before them: "Kymppi ei tule", "10 en anna", "Kymppiä ei heru". */
const DENYING_VERB = /^(tule|tullut|tuu|anna|antaisi|antais|annettu|heru|irtoa|ole|oo|saa|saada)$/u;
/** "if", "unless": a score that is only what it would have been ("10 jos olisi päässyt nopeammin"). */
const CONDITION = new Set(['if', 'unless', 'jos', 'jollei', 'ellei', 'om', 'såvida', 'ifall']);

/** Two words before a number (an article skipped) that deny it: "Far from a 10", "Nowhere near 10", "Långt ifrån en tia". */
const FAR_FROM = new Set(['far from', 'nowhere near', 'not near', 'långt ifrån', 'närheten av', 'langt ifrån']);

export function isNegated(tokens: Token[], r: Reading): boolean {
  const back = ['a', 'an', 'en'].includes(tokens[r.first - 1]?.lower ?? '') ? r.first - 1 : r.first;
  if (FAR_FROM.has(`${tokens[back - 2]?.lower ?? ''} ${tokens[back - 1]?.lower ?? ''}`)) return true;
  for (let k = r.first - 1, words = 0; k >= 0 && words < 3; k--) {
    if (startsClause(tokens, k + 1, CLAUSE_END)) break;
    const t = tokens[k] as Token;
    if (t.kind !== 'word') continue;
    if (!NEGATION_GLUE.has(t.lower) && !LABEL_WORDS.has(t.lower)) words++;
    if (t.lower === 'en') {
      // Finnish "en" is followed by a verb ("en anna 10", "en ihan kymppiä"); before a Swedish adjective, or after a
      // Swedish word, it is an article ("En stark 9", "Absolut en 10"). A bare "en 10" stays ambiguous.
      const between = tokens.slice(k + 1, r.first);
      const adjective = between.length > 0 && between.every((g) => SWEDISH_GRADE_ADJECTIVE.has(g.lower));
      if (PARTITIVE.test(tokens[r.first]?.lower ?? '')) return true;
      if (r.swedish || adjective || SWEDISH_LABEL.has(tokens[k - 1]?.lower ?? '')) continue;
      return true;
    }
    if (NEGATION_WORDS.has(t.lower) || t.lower.endsWith("n't") || (t.lower === 'way' && tokens[k - 1]?.lower === 'no')) return true;
    // A bare "no" before the number is not read as a denial: in Finnish it is "well" ("No kymppi
    // tietysti", "No 9").
  }
  const after = (k: number) => tokens[k]?.lower ?? '';
  // "Kymppi ei tule", "10 en anna": the grade named, then denied.
  if (['ei', 'en'].includes(after(r.last + 1)) && DENYING_VERB.test(after(r.last + 2)) && !startsClause(tokens, r.last + 1, CLAUSE_END)) {
    return true;
  }
  if (!PARTITIVE.test(tokens[r.first]?.lower ?? '')) return false;
  for (let k = r.last + 1; k < tokens.length && !startsClause(tokens, k, CLAUSE_END); k++) {
    if (NEGATION_WORDS.has(tokens[k]?.lower ?? '')) return true;
  }
  return false;
}

/** True when the condition word at `k` opens a real condition, not "if I'm honest" or a Swedish heading ("Om besöket: 9"). */
function opensCondition(tokens: Token[], k: number): boolean {
  const phrase = tokens
    .slice(k, k + 6)
    .map((g) => g.lower)
    .join(' ');
  if (phrase.search(HONESTLY) === 0) return false;
  let end = k + 1;
  while (end < tokens.length && !startsClause(tokens, end, CLAUSE_END)) end++;
  return tokens[end - 1]?.text !== ':';
}

/**
 * What a score would have been: the conditional or past perfect of a condition in another clause
 * ("Jos lääkäri olisi ollut ajoissa, 10", "If the wait had been shorter, 10", "Om väntetiden
 * varit kortare, 10"); "Jos pitää valita, 9", "10, if that helps" are scores. Not when it would
 * have been more ("Jos voisin antaisin enemmän, 10").
 */
const COUNTERFACTUAL =
  /^(\p{L}{2,}isi(?:n|t|mme|tte|vat|vät)?|ois|olis|oisi|vois|pitäis|pääsis|tarttis|had|hadn't|would|wouldn't|were|varit|hade|vore|skulle)$/u;
/** A condition about giving more, or about having to pick a number: "If I had to choose, 9", "Jos voisin, antaisin enemmän". */
const MORE = /^(enemmän|enempää|more|mer|higher|isompi|korkeampi|choose|pick|valita|välja|number|numero|siffra|betyg|arvosana|rate)$/u;
function counterfactualClause(tokens: Token[], k: number): boolean {
  let counterfactual = false;
  for (let j = k + 1; j < tokens.length && !startsClause(tokens, j, CLAUSE_END); j++) {
    const w = (tokens[j] as Token).lower;
    if (MORE.test(w)) return false;
    if (COUNTERFACTUAL.test(w)) counterfactual = true;
  }
  return counterfactual;
}

/**
 * "A 10 if not for the wait", "10 jos olisi päässyt nopeammin", "tia om inte kön", and another
 * clause of the same sentence that opens with a counterfactual condition ("If the wait had been
 * shorter, 10", "Kymppi, jos ei olisi tarvinnut jonottaa"): what it would be, not what it is.
 */
export function isConditional(tokens: Token[], r: Reading): boolean {
  for (let k = r.last + 1; k <= r.last + 3 && k < tokens.length && !startsClause(tokens, k, CLAUSE_END); k++) {
    if (CONDITION.has((tokens[k] as Token).lower)) return opensCondition(tokens, k);
  }
  let from = r.first;
  while (!startsClause(tokens, from, SENTENCE_END)) from--;
  for (let k = from; k < tokens.length && (k <= r.last || !startsClause(tokens, k, SENTENCE_END)); k++) {
    if ((k < r.first || k > r.last) && CONDITION.has((tokens[k] as Token).lower) && startsClause(tokens, k, CLAUSE_END)) {
      if (opensCondition(tokens, k) && counterfactualClause(tokens, k)) return true;
    }
  }
  return false;
}

/** Opening a question: a question word, or a Finnish verb with its question clitic ("Saako", "Onko"). */
const QUESTION_OPENER =
  /^(mitä|mita|mikä|mika|miksi|miks|kuka|miten|missä|mistä|is|are|does|do|what|whats|why|how|who|är|vad|varför|hur|vem|betyder|\p{L}{2,}(?:ko|kö))$/u;
/** After the number, asking about it: "0 on huonoin vai?", "10 is best?". */
const ABOUT_THE_NUMBER = /^(on|onko|is|är|tarkoittaa|means|betyder)$/u;
const SCALE_END =
  /^(paras|parhain|huonoin|korkein|matalin|best|worst|highest|lowest|top|good|bäst|sämst|högsta|lägsta|bra|dålig|hyvä|huono)$/u;

/**
 * "Miksi 0?", "Is 10 the best?", "Vad menas med 10?", "0 on huonoin vai?": the number's clause asks
 * about the scale, it gives no answer. "9 miksi kysytte?" is a 9 with a question after it.
 */
export function isQuestion(tokens: Token[], r: Reading): boolean {
  let end = r.last + 1;
  while (end < tokens.length && !startsClause(tokens, end, CLAUSE_END)) end++;
  if (!(end > r.last + 1 && tokens[end - 1]?.text === '?' && !tokens[end]?.gap.includes('\n'))) return false;
  let start = r.first;
  while (!startsClause(tokens, start, CLAUSE_END)) start--;
  const opener = tokens[start] as Token;
  if (start < r.first && opener.kind === 'word' && QUESTION_OPENER.test(opener.lower) && opener.lower !== 'koko') return true;
  return ABOUT_THE_NUMBER.test(tokens[r.last + 1]?.lower ?? '') && SCALE_END.test(tokens[r.last + 2]?.lower ?? '');
}

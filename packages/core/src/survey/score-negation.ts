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
const OSTRO_GLUE = new Set(['va', 'var', 'he', 'na', 'ju', 'en', 'ingen', 'någo', 'nån']);
/** After a grade: "is too generous", "on liikaa", "är för mycket". */
const TOO_MUCH =
  /^(is too (generous|much|high|kind)|would be (unfair|lying|a lie|dishonest|wrong|too much|too generous|generous)|on liikaa|olisi liikaa|on liian (paljon|korkea|hyvä)|är för (mycket|högt|generöst)|vore för (mycket|högt))\b/u;
/** "cant give 10", "wouldnt rate it a 10", "didnt deserve 10": a negation written without its apostrophe, then a verb of giving. */
const CANT_GIVE =
  /(^| )(cant|cannot|wont|wouldnt|couldnt|didnt|dont|doesnt|shouldnt) (give|rate|deserve|deserves|say)( (it|them|you|this|that))?( (a|an))?$/u;
const OTHER_TIME = /^(last year|last time|next time|viime vuonna|viime kerralla|ensi kerralla|förra året|förra gången|nästa gång)$/u;
/** "if", "unless": a score that is only what it would have been ("10 jos olisi päässyt nopeammin"). */
const CONDITION = new Set(['if', 'unless', 'jos', 'jollei', 'ellei', 'om', 'såvida', 'ifall']);

/** Two words before a number (an article skipped) that deny it: "Far from a 10", "Nowhere near 10", "Långt ifrån en tia". */
const FAR_FROM = new Set(['far from', 'nowhere near', 'not near', 'långt ifrån', 'närheten av', 'langt ifrån']);

/** A long wait, beside a "varmaan" ten: hours, a whole day. */
const WAITED = /^(tuntia|tunnin|tunti|timmar|timme|hours|hrs|päivän|dagen|day)$/u;
/** …and the waiting itself: "ootin", "jonossa", "väntade". */
const WAITING = /^(odotin|ootin|jonotin|odotettiin|jonotettiin|odotusta|jonossa|jonoa|väntade|väntan|kö|kön|waited|waiting|queue|queued)$/u;
const SARCASM_AFTER = /^(just|just joo|joo just|jo visst|hah|hah hah|yeah right|not)$/u;
/** Said with an eye roll: "kymppi 🙄", "10 yeah right", and beside a long wait "Varmaan kymppi kun ootin 4 tuntia", "tio, jo visst". */
function sarcastic(tokens: Token[], r: Reading): boolean {
  const word = (k: number) => tokens[k]?.lower ?? '';
  // an eye roll after it in its sentence: "10 🙄🙄", "No kymppi tietysti 🙄" ("Parking 🙄 but staff 10" rolls at the parking)
  for (let k = r.last + 1; k < tokens.length && !startsClause(tokens, k, SENTENCE_END); k++)
    if (tokens[k]?.text.includes('🙄')) return true;
  // "Kympin arvoinen... not", "Ihan kymppi. Not.": the message taken back at its end.
  let end = tokens.length - 1;
  while (end > r.last && tokens[end]?.kind === 'punct') end--;
  if (tokens[end]?.lower === 'not' && ['.', '…'].includes(tokens[end - 1]?.text ?? '') && end > r.last + 1) return true;
  if (word(r.last + 1) === 'yeah' && word(r.last + 2) === 'right') return true;
  const mark = tokens[r.last + 1]?.text;
  const said = mark === ',' || mark === '.' || mark === '!' ? clauseWordsFrom(tokens, r.last + 2) : null;
  if (said === 'yeah right') return true;
  // The rest only beside a long wait not denied ("Varmaan kymppi kun ootin 4 tuntia", "tio, jo visst. Väntade 3
  // timmar"); "Varmaan ysi", "Joo joo 10", "Tia, jo visst!" are a guess and a yes.
  const complains =
    tokens.some((t) => WAITED.test(t.lower)) &&
    tokens.some((t) => WAITING.test(t.lower)) &&
    !tokens.some((t) => /^(ei|en|not|inte|ilman|utan|without|vaikka|fast|although|though|trots)$/u.test(t.lower));
  if (!complains) return false;
  if ((word(r.first - 1) === 'varmaan' || word(r.last + 1) === 'varmaan') && r.value === 10) return true;
  if (word(r.first - 1) === 'joo' && word(r.first - 2) === 'joo') return true;
  return said !== null && SARCASM_AFTER.test(said);
}

/**
 * A grade said but not given, with no other in its place: sarcasm ("Joo kymppi, just"), taken
 * back ("10 is too generous", "10 would be unfair"), another visit's ("10 last year"), or what it
 * would be if things were better, in spoken Finnish ("10 kun pääsis nopeemmin"). Unlike a denial
 * ("ei kymppi mutta kasi") it names no other score: the message is none.
 */
export function isVoided(tokens: Token[], r: Reading): boolean {
  const after = (k: number) => tokens[k]?.lower ?? '';
  if (sarcastic(tokens, r)) return true;
  const clauseGoesOn = !startsClause(tokens, r.last + 1, CLAUSE_END);
  if (
    clauseGoesOn &&
    TOO_MUCH.test(
      tokens
        .slice(r.last + 1, r.last + 5)
        .map((t) => t.lower)
        .join(' '),
    )
  )
    return true;
  // "10 last year" (not "10 last time too": this visit's as well)
  const pair = `${after(r.last + 1)} ${after(r.last + 2)}`;
  if (OTHER_TIME.test(pair) && !/^(too|also|myös|också|as|and|ja|och|kanssa)$/u.test(after(r.last + 3))) return true;
  // "10 kun pääsis nopeemmin": "kun" with a conditional verb and a "better" ("10 kun ois aina näin sujuvaa" is a wish, a 10).
  for (let k = r.last + 1; k <= r.last + 3 && k < tokens.length && !startsClause(tokens, k, CLAUSE_END); k++) {
    if (after(k) !== 'kun' || ![1, 2].some((d) => COUNTERFACTUAL.test(after(k + d)))) continue;
    const words = clauseWords(tokens, k);
    // (a "better" denied is praise: "10 kun ei ois voinu olla parempi")
    const better = words.some((w) => BETTER.test(w));
    const denied = words.some((w) => NEGATION_IN_CONDITION.test(w));
    if (better !== denied) return true;
  }
  return false;
}

export function isNegated(tokens: Token[], r: Reading): boolean {
  // "cant give 10", "wouldnt rate it a 10": written without the apostrophe.
  const before = tokens
    .slice(Math.max(0, r.first - 4), r.first)
    .map((t) => t.lower)
    .join(' ');
  if (CANT_GIVE.test(before)) return true;
  const back = ['a', 'an', 'en'].includes(tokens[r.first - 1]?.lower ?? '') ? r.first - 1 : r.first;
  if (FAR_FROM.has(`${tokens[back - 2]?.lower ?? ''} ${tokens[back - 1]?.lower ?? ''}`)) return true;
  // Spoken Finnish: "ei se ollu mikää kymppi" (it was no ten): "mikään" right before the grade, "ei" earlier in its clause.
  if (/^(mikää|mikään|mikkään|mikkää)$/u.test(tokens[r.first - 1]?.lower ?? '')) {
    for (let k = r.first - 2; k >= 0 && !startsClause(tokens, k + 1, CLAUSE_END); k--) if (tokens[k]?.lower === 'ei') return true;
  }
  // Ostrobothnian Swedish: "int va he na tia", "int va he ju na tia" (it was no ten).
  for (let k = r.first - 1; k >= 0 && r.first - k <= 6; k--) {
    const w = tokens[k]?.lower ?? '';
    if (w === 'int' || w === 'inte') return true;
    if (!OSTRO_GLUE.has(w)) break;
  }
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
    // "9 ei vaan 10", "inte 9 utan 10": the negation denies what came before; this one is affirmed.
    if (
      (t.lower === 'ei' && ['vaan', 'kun', 'ku'].includes(tokens[k + 1]?.lower ?? '')) ||
      (t.lower === 'inte' && tokens[k + 1]?.lower === 'utan')
    )
      return false;
    if (NEGATION_WORDS.has(t.lower) || t.lower.endsWith("n't") || (t.lower === 'way' && tokens[k - 1]?.lower === 'no')) return true;
    // A bare "no" before the number is not read as a denial: in Finnish it is "well" ("No kymppi
    // tietysti", "No 9").
  }
  const after = (k: number) => tokens[k]?.lower ?? '';
  if (deniedAfter(tokens, r.last)) return true;
  // "Kymppi ei tule", "10 en anna": the grade named, then denied.
  if (['ei', 'en'].includes(after(r.last + 1)) && DENYING_VERB.test(after(r.last + 2)) && !startsClause(tokens, r.last + 1, CLAUSE_END)) {
    return true;
  }
  // "kymppi se ei ollu", "kymppi sitä ei tule": the same with the subject between.
  if (
    ['se', 'sitä', 'siitä'].includes(after(r.last + 1)) &&
    ['ei', 'en'].includes(after(r.last + 2)) &&
    (DENYING_VERB.test(after(r.last + 3)) || ['ollu', 'ollut'].includes(after(r.last + 3))) &&
    !startsClause(tokens, r.last + 1, CLAUSE_END) &&
    startsClause(tokens, r.last + 4, CLAUSE_END)
  ) {
    return true;
  }
  if (!PARTITIVE.test(tokens[r.first]?.lower ?? '')) return false;
  for (let k = r.last + 1; k < tokens.length && !startsClause(tokens, k, CLAUSE_END); k++) {
    if (NEGATION_WORDS.has(tokens[k]?.lower ?? '')) return true;
  }
  return false;
}

/**
 * A denial said on its own: "ei", "Ei todellakaan", "no way", "Nope", "Nej", "ei ikinä", "Of
 * course not", "Absolut inte", "Tuskin", "No ei", "Ei missään nimessä", "not at all".
 */
const DENIAL =
  /^(?:no )?(?:ei|eipä|no|nope|nah|nej|nä|never|not|inte|aldrig|ikinä|koskaan|hardly|tuskin|tuskinpa|tuskimpa|knappast|ingalunda|en usko|en mä usko|hah|joo just|just joo|jo visst|yeah right|hell no|heck no|lol no|haha no|no way|no chance|not really|not at all|never ever|of course not|definitely not|absolutely not|certainly not|surely not|absolut inte|verkligen inte|inte alls|nej aldrig|nej nej|ei ikinä|ei koskaan|ei todellakaan|ei missään nimessä|ei varmasti|ei ollenkaan|ei lähellekään)$/u;
/** Right after the grade, with no "?" between: only a plain denial ("10 ei ikinä", "Kymppi ei", "10 never", "10 not at all"). */
const DENIAL_AFTER_GRADE =
  /^(?:ei|nej|not|inte|never|ei ikinä|ei koskaan|ei todellakaan|ei missään nimessä|not at all|inte alls|nej aldrig)$/u;
/** The words of the clause from token `k` on, lower case, up to its end (null when it holds more than words). */
function clauseWordsFrom(tokens: Token[], k: number): string | null {
  const words: string[] = [];
  for (let j = k; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (j > k && t.gap.includes('\n')) break;
    if (t.kind === 'punct' && (CLAUSE_END.has(t.text) || SENTENCE_END.has(t.text))) break;
    if (t.kind !== 'word') return null;
    words.push(t.lower);
  }
  return words.join(' ');
}
/**
 * The grade asked back and then denied ("Kymppi? Ei todellakaan.", "10? no way", "Tio? Nej.",
 * "10? Of course not"), or named and then denied with nothing else in its clause ("10 ei ikinä",
 * "Kymppi ei"): not the score. "10? Kyllä!", "10? No problem" and "9 ei vaan 10" are no denial of it.
 */
function deniedAfter(tokens: Token[], last: number): boolean {
  let k = last + 1;
  // A pause before it ("kymppi... not", "10… ei") is said like a question back.
  const paused = tokens[k]?.text === '…' || (tokens[k]?.text === '.' && tokens[k + 1]?.text === '.' && tokens[k + 1]?.gap === '');
  if (paused) {
    while (tokens[k]?.text === '.' || tokens[k]?.text === '…') k++;
    const said = clauseWordsFrom(tokens, k);
    return said !== null && DENIAL.test(said);
  }
  const asked = tokens[k]?.text === '?';
  while (tokens[k]?.kind === 'punct' && (tokens[k]?.text === '?' || tokens[k]?.text === '!')) k++;
  if (!asked && k !== last + 1) return false;
  const said = clauseWordsFrom(tokens, k);
  if (!said) return false;
  return asked ? DENIAL.test(said) : DENIAL_AFTER_GRADE.test(said);
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
 * What a score would have been, said in another clause of its sentence: in the clause just before
 * it, a condition with one counterfactual verb and a "better" ("If the wait had been shorter, 10",
 * "Jos lääkäri olisi ollut ajoissa, 10", "Om väntetiden varit kortare, 10") or with a denial ("If
 * not for the wait, 10", "Unless the wait, 10"); after it, a denied counterfactual ("Kymppi, jos ei
 * olisi tarvinnut jonottaa"). A whole conditional sentence ("Jos olisin tiennyt, olisin tullut
 * aiemmin, 10", "If I had questions they were answered, 10") is a score.
 */
const COUNTERFACTUAL =
  /^(\p{L}{2,}isi(?:n|t|mme|tte|vat|vät)?|ois|olis|oisi|vois|pitäis|pääsis|tarttis|had|hadn't|would|wouldn't|were|varit|hade|vore|skulle)$/u;
const BETTER =
  /^(\p{L}{3,}(?:mpi|mmin|mpaa|mpää)|ajoissa|aikaisemmin|shorter|faster|quicker|sooner|better|earlier|kortare|snabbare|bättre|tidigare)$/u;
const NEGATION_IN_CONDITION = /^(ei|not|inte|no|hadn't|wouldn't|wasn't|weren't)$/u; // not "en": Swedish "a"
const UNLESS = new Set(['unless', 'ellei', 'jollei']);
/** True when the clause right after the one opened at `k` holds token `at` (no other clause between). */
function nextClauseHolds(tokens: Token[], k: number, at: number): boolean {
  let j = k + 1;
  while (j < tokens.length && !startsClause(tokens, j, CLAUSE_END)) j++;
  for (let m = j + 1; m <= at; m++) if (startsClause(tokens, m, CLAUSE_END)) return false;
  return j <= at;
}
function clauseWords(tokens: Token[], k: number): string[] {
  const words: string[] = [];
  for (let j = k + 1; j < tokens.length && !startsClause(tokens, j, CLAUSE_END); j++)
    if (tokens[j]?.kind === 'word') words.push((tokens[j] as Token).lower);
  return words;
}

/**
 * "A 10 if not for the wait", "10 jos olisi päässyt nopeammin", "tia om inte kön" (the condition in
 * the score's own clause), and the two kinds of clause above: what it would be, not what it is.
 */
export function isConditional(tokens: Token[], r: Reading): boolean {
  for (let k = r.last + 1; k <= r.last + 3 && k < tokens.length && !startsClause(tokens, k, CLAUSE_END); k++) {
    if (CONDITION.has((tokens[k] as Token).lower)) return opensCondition(tokens, k);
  }
  let from = r.first;
  while (!startsClause(tokens, from, SENTENCE_END)) from--;
  for (let k = from; k < tokens.length && (k <= r.last || !startsClause(tokens, k, SENTENCE_END)); k++) {
    if (k >= r.first && k <= r.last) continue;
    if (!CONDITION.has((tokens[k] as Token).lower) || !startsClause(tokens, k, CLAUSE_END) || !opensCondition(tokens, k)) continue;
    const words = clauseWords(tokens, k);
    const counterfactuals = words.filter((w) => COUNTERFACTUAL.test(w)).length;
    if (k < r.first && counterfactuals <= 1 && nextClauseHolds(tokens, k, r.first)) {
      // "If the wait had been shorter, 10"; "Jos ei olis ollu jonoa, 10", "If not for the wait, 10", "Unless the wait, 10"
      const denied = UNLESS.has((tokens[k] as Token).lower) || words.some((w) => NEGATION_IN_CONDITION.test(w));
      if (denied || (counterfactuals === 1 && words.some((w) => BETTER.test(w)))) return true;
    }
    if (k > r.last && counterfactuals >= 1 && words.some((w) => NEGATION_IN_CONDITION.test(w))) return true;
  }
  return false;
}

/** Opening a question: a question word, or a Finnish verb with its question clitic ("Saako", "Onko"); "What else but 10?" is none. */
const QUESTION_OPENER =
  /^(mitä|mita|mikä|mika|miksi|miks|kuka|miten|missä|mistä|onko|onks|oliko|olisiko|saako|saaks|saanko|voiko|voiks|voinko|pitääkö|pitäisikö|tarvitseeko|tarviiko|riittääkö|tarkoittaako|meneekö|tuleeko|kannattaako|eikö|is|are|does|do|what|whats|why|how|who|är|vad|varför|hur|vem|betyder)$/u;
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
  const rhetorical = opener.lower === 'what' && tokens[start + 1]?.lower === 'else';
  if (start < r.first && opener.kind === 'word' && QUESTION_OPENER.test(opener.lower) && !rhetorical) return true;
  return ABOUT_THE_NUMBER.test(tokens[r.last + 1]?.lower ?? '') && SCALE_END.test(tokens[r.last + 2]?.lower ?? '');
}

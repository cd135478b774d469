import { CLAUSE_END, prepareReply, SENTENCE_END, startsClause, type Token, tokenize } from './reply-tokens.ts';
import { FILLER_WORDS, LABEL_WORDS } from './score-lexicon.ts';
import { isConditional, isNegated, isQuestion, isVoided } from './score-negation.ts';
import { numberWord, type Reading } from './score-number.ts';
import { unreadAroundNumber } from './score-other-scripts.ts';
import { readDigits, readWord } from './score-reading.ts';
import { onlyFiller, reasonOf } from './score-reason.ts';
import { namesOtherScale } from './score-scale.ts';

export { carriesContent } from './score-reason.ts';

/**
 * Reads a patient's SMS reply to the 0–10 question. A misread score is far worse than a re-ask,
 * so anything ambiguous is `not-a-score` with the reason why (for metrics and tests).
 */
export type ParsedReply = { kind: 'score'; score: number; reason: string | null } | { kind: 'not-a-score'; why: NotAScore };

export type NotAScore =
  | 'empty'
  | 'no-score'
  | 'out-of-range'
  | 'decimal'
  | 'negative'
  | 'modifier'
  | 'range'
  | 'other-scale'
  | 'pain-scale'
  | 'question'
  | 'negated'
  | 'conflicting'
  /** Words of a script the parser cannot read before the number or right after it ("не 10", "۲ ساعت"). */
  | 'unread-words';

const COUNTED_PEOPLE =
  /^(minä|mä|mie|me|meitä|meit|lapsi|lapset|lasta|i|me|we|us|jag|vi|oss|barn|barnen|kids|children|adults|aikuista|vuxna)$/u;

/**
 * A count word ending the first sentence, with no other number in the message, answers the question
 * ("Nolla. Ei kukaan vastannut", "Yksi. Huono", "Zero, nobody called me back", "Kakkonen, töykeä kohtelu");
 * "Zero wait" and "Kaksi tuntia" do not.
 */
function leadsOff(tokens: Token[], r: Reading): boolean {
  const next = tokens[r.last + 1];
  // After a comma or a dash, a reason ("Kakkonen, töykeä kohtelu", "Five - long wait"), but not the
  // people it counts ("Kaksi, minä ja lapsi"); "koska", "because" likewise.
  const after = tokens[r.last + 2]?.lower ?? '';
  const reasonFollows =
    ((next?.text === ',' || (next?.text === '-' && next.gap !== '')) && !COUNTED_PEOPLE.test(after)) ||
    /^(koska|kun|because|since|för|eftersom)$/u.test(next?.lower ?? '');
  const mark = reasonFollows || ['.', '!'].includes(next?.text ?? '');
  if (!onlyFiller(tokens, 0, r.first) || !mark) return false;
  return tokens.every((t, k) => (k >= r.first && k <= r.last) || !(t.kind === 'num' || (t.kind === 'word' && numberWord(t.lower))));
}

function boundaryBefore(tokens: Token[], first: number, set: Set<string>): number {
  let k = first;
  while (!startsClause(tokens, k, set)) k--;
  return k;
}

function boundaryAfter(tokens: Token[], last: number, set: Set<string>): number {
  let k = last + 1;
  while (k < tokens.length && !startsClause(tokens, k, set)) k++;
  return k;
}

/** Where a label run ("annan", "I'd give it a", "arvosana:") before the number starts, if any. */
function labelStart(tokens: Token[], first: number): number | null {
  let k = first - 1;
  let found: number | null = null;
  while (k >= 0) {
    const t = tokens[k] as Token;
    if (t.kind === 'word' && LABEL_WORDS.has(t.lower)) found = k;
    else if (
      !(t.kind === 'word' && FILLER_WORDS.has(t.lower)) &&
      !(t.kind === 'punct' && (t.text === ':' || t.text === '=' || t.text === '-'))
    )
      break;
    if (first - k > 5) break;
    k--;
  }
  if (found === null) return null;
  // Take the filler just before the label too ("I'd give it a 9" → the whole run).
  let s = found;
  while (s > 0 && tokens[s - 1]?.kind === 'word' && FILLER_WORDS.has(tokens[s - 1]?.lower ?? '') && !startsClause(tokens, s, CLAUSE_END))
    s--;
  return s;
}

export function parseScoreReply(text: string): ParsedReply {
  const prepared = prepareReply(text);
  const tokens = tokenize(prepared);
  if (tokens.length === 0) return { kind: 'not-a-score', why: 'empty' };
  if (unreadAroundNumber(tokens)) return { kind: 'not-a-score', why: 'unread-words' };
  // "On a scale of 1-5, 4", "4 pistettä viidestä", "Tähdet: 4": its numbers are on that scale.
  if (namesOtherScale(tokens)) return { kind: 'not-a-score', why: 'other-scale' };

  const readings: Array<Reading & { start: number }> = [];
  let asked = false;
  const others: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const r = t.kind === 'num' ? readDigits(tokens, i) : t.kind === 'word' ? readWord(tokens, i) : null;
    if (!r) continue;
    i = Math.max(i, r.last);
    if (r.type === 'context') {
      // Plainly something else, but still a number where a score could stand: another one with a different value is ambiguous.
      // (not one above the scale: "Syke 72, ysi")
      if (r.doubt && r.value <= 10) others.push(r.value);
      continue;
    }
    // A pain score anywhere makes every number in the message doubtful ("Kipu oli 9 ja nyt 3").
    if (r.why === 'pain-scale') return { kind: 'not-a-score', why: 'pain-scale' };
    const label = labelStart(tokens, r.first);
    const explicit = r.explicit || label !== null;
    const alone = onlyFiller(tokens, 0, r.first) && onlyFiller(tokens, r.last + 1, tokens.length);
    const sentenceEdge =
      onlyFiller(tokens, boundaryBefore(tokens, r.first, SENTENCE_END), r.first) ||
      onlyFiller(tokens, r.last + 1, boundaryAfter(tokens, r.last, SENTENCE_END));
    const clauseAlone =
      onlyFiller(tokens, boundaryBefore(tokens, r.first, CLAUSE_END), r.first) &&
      onlyFiller(tokens, r.last + 1, boundaryAfter(tokens, r.last, CLAUSE_END));
    const meant = r.strict ? explicit || alone || leadsOff(tokens, r) : explicit || sentenceEdge || clauseAlone;
    if (!meant) {
      // A plain 0–10 number elsewhere in the text still makes the message ambiguous ("Hoitajat 10, lääkäri 7").
      if (r.type === 'score' && !r.strict) others.push(r.value);
      continue;
    }
    // Filler just before it in its clause goes with it: "Vahva kasi, hyvä lääkäri" → "hyvä lääkäri".
    const clause = boundaryBefore(tokens, r.first, CLAUSE_END);
    const start = Math.min(label ?? r.first, onlyFiller(tokens, clause, r.first) ? clause : r.first);
    // Said, but not given, and no other in its place ("Joo kymppi, just", "10 last year"): no score at all.
    if (r.type === 'score' && isVoided(tokens, r)) return { kind: 'not-a-score', why: 'negated' };
    if (r.type === 'score' && (isNegated(tokens, r) || isConditional(tokens, r)))
      readings.push({ ...r, type: 'bad', why: 'negated', start });
    else if (r.type === 'score' && isQuestion(tokens, r)) {
      // A question about the scale gives no score; another number with a different value is ambiguous
      // ("Is 10 the best? If so, 10" is a 10).
      asked = true;
      others.push(r.value);
    } else readings.push({ ...r, start });
  }

  // "Ei kymppi mutta kasi", "Not a 10, more like 7", "9, ei 10 koska jonotin": a denied grade beside
  // the one given. Only when every doubt is a denial and one other value is left.
  const denied = readings.filter((r) => r.type === 'bad' && r.why === 'negated');
  const given = readings.filter((r) => r.type !== 'bad');
  if (denied.length > 0 && denied.length + given.length === readings.length && given.length > 0) {
    const value = given[0]?.value;
    if (given.every((r) => r.value === value) && denied.every((r) => r.value !== value) && !others.some((v) => v !== value)) {
      return { kind: 'score', score: value as number, reason: reasonOf(prepared, tokens, readings) };
    }
  }
  const bad = readings.find((r) => r.type === 'bad');
  if (bad) return { kind: 'not-a-score', why: bad.why ?? 'out-of-range' };
  if (readings.length === 0) return { kind: 'not-a-score', why: asked ? 'question' : 'no-score' };
  const score = readings[0]?.value as number;
  if (readings.some((r) => r.value !== score) || others.some((v) => v !== score)) return { kind: 'not-a-score', why: 'conflicting' };
  return { kind: 'score', score, reason: reasonOf(prepared, tokens, readings) };
}

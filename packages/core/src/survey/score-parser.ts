import { CLAUSE_END, prepareReply, SENTENCE_END, squeeze, startsClause, type Token, tokenize } from './reply-tokens.ts';
import {
  contextBefore,
  DOSE_BEFORE,
  DOSE_ORDINAL_AFTER,
  doubtfulContext,
  isHand,
  MONTH,
  painScaleBefore,
  partOfSomethingElse,
  WEEK_FIRST,
} from './score-context.ts';
import { FILLER_WORDS, LABEL_WORDS, SWEDISH_GRADE, TOP_SCORE_PHRASES } from './score-lexicon.ts';
import { isConditional, isNegated, isQuestion } from './score-negation.ts';
import { numberWord, type Reading, readSuffix } from './score-number.ts';
import { onlyFiller, reasonOf } from './score-reason.ts';

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
  | 'conflicting';

/** A run of digits: a score, a number that is plainly something else, or a bad attempt at a score. */
function readDigits(tokens: Token[], i: number): Reading {
  const at = (k: number) => tokens[k];
  const tok = tokens[i] as Token;
  const value = Number(tok.text);
  const plain = { first: i, strict: false, swedish: false };
  const context = (last: number): Reading => ({ ...plain, type: 'context', value, last, explicit: false });
  const prev = at(i - 1);

  // The denominator of something already read ("10000/10", "12/3"): never a score of its own.
  if (prev?.text === '/' && at(i - 2)?.kind === 'num') return context(i);
  // Part of a word ("hmm2"), a sum ("rv 10+1"), text-speak ("thx 4 asking"): never a score of its own.
  if (partOfSomethingElse(tokens, i, value)) return context(i);

  // Phone numbers and other long digit sequences: "040 123 4567", "+358 40 1234567".
  const plusPrefix = prev?.text === '+' && tok.gap === '';
  let last = i;
  let digits = tok.text.length;
  while (true) {
    const n = at(last + 1);
    if (n?.kind === 'num' && n.gap === ' ') {
      last += 1;
      digits += n.text.length;
    } else if (n?.text === '-' && n.gap === '' && at(last + 2)?.kind === 'num' && at(last + 2)?.gap === '' && digits >= 2) {
      last += 2;
      digits += at(last)?.text.length ?? 0;
    } else break;
  }
  if ((plusPrefix || tok.text.startsWith('0')) && digits >= 7 && last > i) return context(last);
  if (tok.text.length >= 5) return context(i);
  if (tok.text.length === 4 && /^(19|20)\d\d$/u.test(tok.text)) return context(i);

  // Attached clusters: "10:30" (a time), "7,5" (a decimal), "12.3." and "12.3.2025" (dates), "10.30".
  let end = i;
  let cluster: 'time' | 'decimal' | 'date' | null = null;
  while (
    at(end + 1)?.gap === '' &&
    [':', ',', '.'].includes(at(end + 1)?.text ?? '') &&
    at(end + 2)?.kind === 'num' &&
    at(end + 2)?.gap === ''
  ) {
    const sep = at(end + 1)?.text;
    cluster = sep === ':' ? 'time' : cluster === 'decimal' || cluster === 'date' ? 'date' : sep === ',' ? 'decimal' : 'decimal';
    end += 2;
  }
  if (cluster === 'decimal' && at(end + 1)?.text === '.' && at(end + 1)?.gap === '') cluster = 'date';

  // "Kipu 8/10", "pain was 9": a pain scale is 0–10 too, so the message gives no score of ours.
  // A duration or a count after it ("Kipu oli 3 päivää") is that, not a pain score.
  if (painScaleBefore(tokens, i)) {
    const unit = readSuffix(tokens, value, end);
    if (unit.type === 'context') return context(unit.last);
    return { ...plain, type: 'bad', why: 'pain-scale', value, last: end, explicit: false };
  }
  // A word before that makes it a time, a room, a year: "klo 9", "huone 10", "at 9".
  if (prev && (contextBefore(tokens, i) || ['#', '€', '$', '£', '§'].includes(prev.text))) return context(end);
  // "3. maaliskuuta", "3. mars": a date; "2. annos", "3. rokote": a dose.
  if (at(end + 1)?.text === '.' && MONTH.test(at(end + 2)?.lower ?? '')) return context(end + 2);
  if (at(end + 1)?.text === '.' && DOSE_ORDINAL_AFTER.test(at(end + 2)?.lower ?? '')) return context(end + 2);
  // A count, an ordinal, none of something ("Hoitajia oli 2", "3. kerros", "0 valittamista"): doubtful.
  // With a unit after it ("Jonossa oli 5 ihmistä", "Reikiä 2 kpl") or above 10, it is plainly not the score.
  if (doubtfulContext(tokens, i, end, value)) {
    const unit = readSuffix(tokens, value, end);
    if (unit.type === 'context' || value > 10 || tok.text.length > 2) return context(Math.max(end, unit.last));
    return { ...context(end), doubt: true };
  }
  // "Question 1: yes", "Fråga 1: ja": a question's number.
  if (/^(question|fråga|q|kysymys)$/u.test(prev?.lower ?? '') && at(end + 1)?.text === ':') return context(end + 1);
  // "10:-" (a Swedish price), "2:a dosen" (an ordinal dose)
  if (at(end + 1)?.text === ':' && at(end + 1)?.gap === '' && at(end + 2)?.text === '-') return context(end + 2);
  if (at(end + 1)?.text === ':' && /^(a|e)$/u.test(at(end + 2)?.lower ?? '') && DOSE_ORDINAL_AFTER.test(at(end + 3)?.lower ?? '')) {
    return context(end + 3);
  }
  if (cluster === 'time' || cluster === 'date') return context(end);
  if (prev?.text === '-' && tok.gap === '' && at(i - 2)?.kind !== 'num') {
    return { ...plain, type: 'bad', why: 'negative', value: -value, last: end, explicit: false };
  }

  const suffix = readSuffix(tokens, value, end);
  // "annos 2", "Covid booster 2": a dose's number; "Rokote 10", "Rokote 9/10" is the score for it.
  if (value <= 4 && !suffix.explicit && DOSE_BEFORE.test(prev?.lower ?? '')) return context(suffix.last);
  // "vecka 8", "viikko 8" opening the message: a (pregnancy) week; "Joka viikko 10", "viikko 10/10" are not.
  if (i === 1 && !suffix.explicit && WEEK_FIRST.test(prev?.lower ?? '')) return context(suffix.last);
  if (cluster === 'decimal') {
    return suffix.type === 'context'
      ? { ...plain, ...suffix }
      : { ...plain, type: 'bad', why: 'decimal', value, last: end, explicit: false };
  }
  if (suffix.type === 'context') return { ...plain, ...suffix };

  // Ranges: "8-9", "8 - 9", "8–10".
  const n1 = at(suffix.last + 1);
  if (n1?.text === '-' && at(suffix.last + 2)?.kind === 'num') {
    return { ...plain, type: 'bad', why: 'range', value, last: suffix.last + 2, explicit: false };
  }
  // "9-" (a school grade's minus), "9-vuotias" (a compound: not a score).
  if (n1?.text === '-' && n1.gap === '') {
    const n2 = at(suffix.last + 2);
    if (n2?.kind === 'word' && n2.gap === '') return context(suffix.last + 2);
    return { ...plain, type: 'bad', why: 'modifier', value, last: suffix.last + 1, explicit: false };
  }
  // Grade suffixes: "9:n" (Finnish genitive), "9:a", "10:an" (Swedish grade).
  let swedish = false;
  let lastTok = suffix.last;
  if (n1?.text === ':' && n1.gap === '' && at(suffix.last + 2)?.gap === '') {
    const s = at(suffix.last + 2)?.lower ?? '';
    if (s === 'n' || s === 'a' || s === 'an') {
      swedish = s !== 'n';
      lastTok = suffix.last + 2;
    } else if (/^(st[aä]|lt[aä]|lle)$/u.test(s)) return context(suffix.last + 2); // "10:stä", "9:ltä", "10:lle": from, at
  }
  if (tok.text.length > 2 || value > 10 || (tok.text.length === 2 && tok.text.startsWith('0'))) {
    return {
      ...plain,
      type: 'bad',
      why: suffix.type === 'bad' ? (suffix.why ?? 'out-of-range') : 'out-of-range',
      value,
      last: lastTok,
      explicit: suffix.explicit,
    };
  }
  return { ...plain, ...suffix, last: lastTok, swedish };
}

function readWord(tokens: Token[], i: number): Reading | null {
  const tok = tokens[i] as Token;
  const nextWord = tokens[i + 1]?.kind === 'word' ? (tokens[i + 1]?.lower ?? '') : '';
  for (const [a, b] of TOP_SCORE_PHRASES) {
    if (tok.lower === a && (b === '' || nextWord === b)) {
      return { type: 'score', value: 10, first: i, last: b === '' ? i : i + 1, explicit: true, strict: false, swedish: false };
    }
  }
  const n = numberWord(tok.lower);
  if (!n) return null;
  const context: Reading = { type: 'context', value: n.value, first: i, last: i, explicit: false, strict: false, swedish: false };
  if (painScaleBefore(tokens, i) && readSuffix(tokens, n.value, i).type !== 'context')
    return { ...context, type: 'bad', why: 'pain-scale' };
  if (contextBefore(tokens, i)) return context;
  // "Kasi on kipeä", "Vasen kasi", "Kasi ja ranne": käsi (a hand) written without umlauts, not a grade.
  if (tok.lower === 'kasi' && isHand(tokens, i)) return context;
  // "Kutosen paikkaus", "Alaleuan kutonen": a tooth; "Ysin aika": an appointment at nine; "nolla jonoa": none.
  if (doubtfulContext(tokens, i, i, n.value)) return { ...context, doubt: !n.strict };
  const suffix = readSuffix(tokens, n.value, i);
  const [dash, after] = [tokens[suffix.last + 1], tokens[suffix.last + 2]];
  // "kasi-" (a school grade's minus), as "9-"; "kasi-ysi" is a range, read as two numbers.
  if (dash?.text === '-' && dash.gap === '' && !(after?.gap === '' && after.kind !== 'punct')) {
    return { ...context, type: 'bad', why: 'modifier', last: suffix.last + 1 };
  }
  return { ...suffix, first: i, strict: n.strict, swedish: SWEDISH_GRADE.test(squeeze(tok.lower)) };
}

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
      if (r.doubt) others.push(r.value);
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

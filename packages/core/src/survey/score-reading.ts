/** Reading one number (digits or a word) where it stands: a score, something else, or a bad attempt at a score. */
import { squeeze, type Token } from './reply-tokens.ts';
import {
  contextBefore,
  DOSE_BEFORE,
  DOSE_ORDINAL_AFTER,
  doubtfulContext,
  isHand,
  MONTH,
  ORDINAL_NOUN_AFTER,
  partOfSomethingElse,
  WEEK_FIRST,
} from './score-context.ts';
import { doubtfulBefore } from './score-doubt.ts';
import { SWEDISH_GRADE, TOP_SCORE_PHRASES } from './score-lexicon.ts';
import { painScaleBefore } from './score-measure.ts';
import { numberWord, type Reading, readSuffix } from './score-number.ts';

/** A run of digits: a score, a number that is plainly something else, or a bad attempt at a score. */
export function readDigits(tokens: Token[], i: number): Reading {
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
  // Likely something else, and a different number beside it stays ambiguous: "vid 9", "waited 2", a limit "<10" (not an arrow "-> 10").
  const arrow = ['-', '='].includes(at(i - 2)?.text ?? '') && prev?.gap === '';
  if (prev && (doubtfulBefore(tokens, i, value) || (['<', '>', '≤', '≥'].includes(prev.text) && !arrow))) {
    // A time, a date or a decimal ("Labrassa 7.15", "Seuraava aika 9.3."), or a word glued on ("vid
    // 9-tiden", "10:lle") is that, plainly.
    if (cluster) return context(end);
    const [glue, word] = [at(end + 1), at(end + 2)];
    if ((glue?.text === '-' || glue?.text === ':') && glue.gap === '' && word?.kind === 'word' && word.gap === '') return context(end + 2);
    // With a unit after it ("Odotin 5 min, 9", "Odotin 1-5 minuuttia, 9"), the unit says what it is: plainly not the score.
    const rangeEnd = at(end + 1)?.text === '-' && at(end + 2)?.kind === 'num' ? end + 2 : end;
    const unit = readSuffix(tokens, Number(at(rangeEnd)?.text), rangeEnd);
    return unit.type === 'context' && !unit.doubt ? context(unit.last) : { ...context(end), doubt: true };
  }
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
  const ordinalOf = at(end + 3)?.lower ?? '';
  if (
    at(end + 1)?.text === ':' &&
    /^(a|e)$/u.test(at(end + 2)?.lower ?? '') &&
    (DOSE_ORDINAL_AFTER.test(ordinalOf) || ORDINAL_NOUN_AFTER.test(ordinalOf))
  ) {
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

export function readWord(tokens: Token[], i: number): Reading | null {
  const tok = tokens[i] as Token;
  const nextWord = tokens[i + 1]?.kind === 'word' ? (tokens[i + 1]?.lower ?? '') : '';
  for (const [a, b] of TOP_SCORE_PHRASES) {
    if (tok.lower === a && (b === '' || nextWord === b)) {
      const last = b === '' ? i : i + 1;
      // "Nästan fullt betyg", "Almost top marks", "Melkein täydet pisteet": short of the top, no score.
      if (contextBefore(tokens, i)) return { type: 'context', value: 10, first: i, last, explicit: false, strict: false, swedish: false };
      return { type: 'score', value: 10, first: i, last, explicit: true, strict: false, swedish: false };
    }
  }
  const n = numberWord(tok.lower);
  if (!n) return null;
  const context: Reading = { type: 'context', value: n.value, first: i, last: i, explicit: false, strict: false, swedish: false };
  if (painScaleBefore(tokens, i) && readSuffix(tokens, n.value, i).type !== 'context')
    return { ...context, type: 'bad', why: 'pain-scale' };
  if (contextBefore(tokens, i)) return context;
  if (doubtfulBefore(tokens, i, n.value)) {
    const unit = readSuffix(tokens, n.value, i);
    return unit.type === 'context' && !unit.doubt ? { ...context, last: unit.last } : { ...context, doubt: true };
  }
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

/** Splitting an SMS into tokens the reply parsers reason about; shared by the score and command parsers. */
import { withoutEmailDigits } from '../privacy/mask.ts';
import { ARABIC_SIGNS, asciiDigit, asciiSign, NATIVE_DIGITS } from '../texts/native-digits.ts';
import { FOREIGN_OUT_OF } from './score-other-scripts.ts';

export interface Token {
  kind: 'num' | 'word' | 'emoji' | 'punct';
  /** As written (after `prepareReply`). */
  text: string;
  lower: string;
  start: number;
  end: number;
  /** The whitespace between the previous token and this one ('' when attached). */
  gap: string;
}

/** The lower-cased word at `k`, or '' for punctuation, a number or nothing. */
export function wordAt(tokens: Token[], k: number): string {
  return tokens[k]?.kind === 'word' ? (tokens[k]?.lower ?? '') : '';
}

const KEYCAP = /([0-9])\uFE0F?\u20E3/gu;
const CAT_FACE = /(?<![\p{L}\p{N}:])(?<!(?:arvosana|arvio|pisteet|score|rating|grade|betyg|poäng)\s*)[:;]3(?!\p{N})/giu;
// Control characters (NUL and friends) never reach storage or the parser; newlines and tabs stay.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

/**
 * The text as the parsers see it: Unicode-normalised (full-width, Arabic-Indic and Persian digits become digits, keycap
 * emoji "9️⃣" and "🔟" become numbers), typographic dashes and quotes made plain, control
 * characters and broken surrogates removed, and the digits of e-mail addresses read as `x` (the 9
 * of "ville.9@luukku.com" is no score).
 */
export function prepareReply(text: string): string {
  const plain = text
    .replace(LONE_SURROGATE, '')
    .normalize('NFKC')
    .replace(CONTROL, '')
    .replace(NATIVE_DIGITS, asciiDigit)
    .replace(ARABIC_SIGNS, asciiSign)
    .replace(FOREIGN_OUT_OF, '$1/$2')
    .replace(KEYCAP, '$1')
    .replace(/\u{1F51F}/gu, ' 10 ')
    .replace(/[\u2010-\u2015\u2212]/gu, '-')
    .replace(/[\u2018\u2019\u201B\u2032\u00B4`]/gu, "'")
    .replace(/[\u201C\u201D\u201E\u2033\u00AB\u00BB]/gu, '"')
    .replace(/\u2044/gu, '/')
    .replace(/\u2026/gu, '...')
    .replace(/[\u00A0\u2007\u202F\u200B]/gu, ' ')
    // A heart or a cat face typed as "<3" and ":3" (kept the same length): no 3 of any kind; not a
    // label's colon ("Arvosana :3").
    .replace(/<3/gu, '\u2764\uFE0F')
    .replace(CAT_FACE, '\u{1F63A}');
  return withoutEmailDigits(plain);
}

const TOKEN =
  /(\d+)|([\p{L}\p{M}]+(?:'[\p{L}\p{M}]+)*)|(\p{Extended_Pictographic}(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200D|\uFE0F)*|\p{Regional_Indicator}+)|(\S)/gu;

export function tokenize(prepared: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of prepared.matchAll(TOKEN)) {
    const start = m.index;
    const text = m[0];
    const kind = m[1] ? 'num' : m[2] ? 'word' : m[3] ? 'emoji' : 'punct';
    tokens.push({ kind, text, lower: text.toLowerCase(), start, end: start + text.length, gap: prepared.slice(last, start) });
    last = start + text.length;
  }
  return tokens;
}

export const SENTENCE_END = new Set(['.', '!', '?', ';']);
export const CLAUSE_END = new Set([...SENTENCE_END, ',', ':', '(', ')', '[', ']', '"', '/', '|', '*']);

/** True when token `k` begins a clause: the start, a new line, or after a boundary mark. */
export function startsClause(tokens: Token[], k: number, set: Set<string>): boolean {
  if (k <= 0 || k >= tokens.length) return true;
  const t = tokens[k] as Token;
  if (t.gap.includes('\n')) return true;
  const prev = tokens[k - 1] as Token;
  return prev.kind === 'punct' && (set.has(prev.text) || (prev.text === '-' && prev.gap !== ''));
}

/** Lower case, repeated letters squeezed ("kymppiiii" → "kymppii", "ysiii" → "ysii"). */
export function squeeze(word: string): string {
  return word.toLowerCase().replace(/(\p{L})\1{2,}/gu, '$1$1');
}

/**
 * Levenshtein distance, stopping early above `max`. `transpositions`: two neighbours swapped cost
 * one edit, not two ("pateint" is one from "patient"; optimal string alignment).
 */
export function editDistance(a: string, b: string, max: number, options: { transpositions?: boolean } = {}): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (options.transpositions && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (before[j - 2] ?? 0) + 1);
      }
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    // (a swap reaches back two rows: with them, both rows must be past `max`)
    if (rowMin > max && (!options.transpositions || prevMin > max)) return max + 1;
    before = prev;
    prev = cur;
    prevMin = rowMin;
  }
  return Math.min(prev[b.length] ?? max + 1, max + 1);
}

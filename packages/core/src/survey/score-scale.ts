/**
 * A message that names a rating scale other than ours anywhere, not only right after its number:
 * "On a scale of 1-5, 4", "Asteikolla 1-5 annan 4", "4 pistettä viidestä", "Tähdet: 4". Its
 * numbers are on that scale; read as 0–10 they would be stored as scores they are not.
 */

import type { Token } from './reply-tokens.ts';
import { numberWord, STAR_EMOJI } from './score-number.ts';

/** "scale", "skala", "asteikolla", "skaalalla": a scale is being named. */
const SCALE_WORD = /^(scale|scales|skala|skalan|skaala\p{L}*|asteiko\p{L}*|asteikol\p{L}*|asteikkoa?)$/u;
/** Star ratings, said as a label of the number ("Tähdet: 4", "Stars 4", "tähtiä 4"). */
const STAR_WORD = /^(tähdet|tähtiä|tähteä|stjärnor|stjärnorna|stars)$/u;
/** "of five", "of four" in Finnish, wherever it stands ("4 pistettä viidestä", "viidestä 4"). */
const OUT_OF_FEW = /^(viidestä|neljästä|viidesta|neljasta)$/u;
/** What a small number or a range of them measures when it is no scale: "1-3 kertaa", "1-5 min", "0-5 tuntia". */
const RANGE_UNIT =
  /^(min|mins|minuut\p{L}*|minuter|minutes?|h|t|tun\p{L}*|timm\p{L}*|tim|hours?|pv|päivä\p{L}*|dag\p{L}*|days?|viik\p{L}*|veck\p{L}*|weeks?|kk|kuukau\p{L}*|månad\p{L}*|months?|kerta\p{L}*|krt|gång\p{L}*|ggr|times|kpl|st|vuo\p{L}*|år|years?|v)$/u;

const numberOf = (t: Token) => (t.kind === 'num' ? Number(t.text) : (numberWord(t.lower)?.value ?? Number.NaN));
const isNumber = (t: Token | undefined) => t !== undefined && (t.kind === 'num' || (t.kind === 'word' && numberWord(t.lower) !== null));
/** A range that is a scale's span: from 0 or 1 to 3–7 ("1-5", "0–4"), with no unit after it. */
function smallScaleRangeAt(tokens: Token[], k: number): boolean {
  const [lo, dash, hi, after] = [tokens[k], tokens[k + 1], tokens[k + 2], tokens[k + 3]];
  if (lo?.kind !== 'num' || dash?.text !== '-' || hi?.kind !== 'num') return false;
  const [from, to] = [Number(lo.text), Number(hi.text)];
  return (from === 0 || from === 1) && to >= 3 && to <= 7 && !(after?.kind === 'word' && RANGE_UNIT.test(after.lower));
}

/** True when the message rates on another scale: named with its span, as "of five", as stars, or as `N:stä` (3–7). */
export function namesOtherScale(tokens: Token[]): boolean {
  const hasScaleWord = tokens.some((t) => t.kind === 'word' && SCALE_WORD.test(t.lower));
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as Token;
    // "5 on a scale of 5": the scale's top named.
    if ((t.lower === 'of' || t.lower === 'av') && SCALE_WORD.test(tokens[k - 1]?.lower ?? '') && tokens[k + 1]?.kind === 'num') {
      const top = Number(tokens[k + 1]?.text);
      if (top >= 3 && top <= 7) return true;
    }
    // "4 pistettä viidestä", "viidestä 4" (not "paras viidestä käynnistä": of five visits).
    const unitBefore = /^(pist\p{L}*|p|points?)$/u.test(tokens[k - 1]?.lower ?? '') && isNumber(tokens[k - 2]);
    if (t.kind === 'word' && OUT_OF_FEW.test(t.lower) && (isNumber(tokens[k - 1]) || isNumber(tokens[k + 1]) || unitBefore)) return true;
    // "Tähdet: 4", "Stars 4", "⭐ 4": stars label a number they can count (5 at most; "Hoitaja oli tähti 10" is praise).
    if ((t.kind === 'word' && STAR_WORD.test(t.lower)) || STAR_EMOJI.test(t.text)) {
      const at = tokens[k + 1]?.text === ':' || tokens[k + 1]?.text === '=' ? k + 2 : k + 1;
      const next = tokens[at];
      // ("Stars 5 min wait": a duration after it)
      const unit = RANGE_UNIT.test(tokens[at + 1]?.lower ?? '');
      if (next?.kind === 'num' && Number(next.text) <= 5 && !unit) return true;
    }
    // "3 pistettä 5:stä": out of five.
    const [colon, case_] = [tokens[k + 1], tokens[k + 2]];
    // (not a decimal's tail: "38,5:stä" is a fever)
    const decimalTail = [',', '.'].includes(tokens[k - 1]?.text ?? '') && t.gap === '';
    if (t.kind === 'num' && !decimalTail && colon?.text === ':' && colon.gap === '' && /^st[aä]$/u.test(case_?.lower ?? '')) {
      const n = Number(t.text);
      if (n >= 3 && n <= 7) return true;
    }
    // "Scale 1-5: 4", "Using 1-5, 3": a scale's span, named as one or heading the answer.
    // Without a scale word, only when every other number could be on it ("Kids 1-5, all happy, 10" is no scale).
    if (smallScaleRangeAt(tokens, k)) {
      const then = tokens[k + 3]?.text ?? '';
      const top = Number(tokens[k + 2]?.text);
      const onIt = tokens.every((o, j) => j === k || j === k + 2 || !isNumber(o) || numberOf(o) <= top);
      if (hasScaleWord || ((then === ':' || then === ',') && onIt)) return true;
    }
  }
  return false;
}

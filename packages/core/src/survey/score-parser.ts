/**
 * Reads a patient's SMS reply to the 0–10 question. A misread score is worse than a re-ask, so
 * anything ambiguous is `not-a-score`.
 */
export type ParsedReply = { kind: 'score'; score: number; reason: string | null } | { kind: 'not-a-score' };

const WORDS: Record<string, number> = {
  nolla: 0,
  yksi: 1,
  kaksi: 2,
  kolme: 3,
  neljä: 4,
  viisi: 5,
  kuusi: 6,
  seitsemän: 7,
  kahdeksan: 8,
  yhdeksän: 9,
  kymmenen: 10,
  noll: 0,
  ett: 1,
  en: 1,
  två: 2,
  tre: 3,
  fyra: 4,
  fem: 5,
  sex: 6,
  sju: 7,
  åtta: 8,
  nio: 9,
  tio: 10,
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

export function parseScoreReply(text: string): ParsedReply {
  const trimmed = text.normalize('NFC').trim();
  if (!trimmed) return { kind: 'not-a-score' };
  const digits = /^(\d{1,3})(?:\s*\/\s*10)?[.!]*(?:\s+([\s\S]*))?$/u.exec(trimmed);
  if (digits) {
    const n = Number(digits[1]);
    if (n > 10 || (digits[1] ?? '').length > 2) return { kind: 'not-a-score' };
    const rest = digits[2]?.trim() ?? '';
    if (/\d/.test(rest)) return { kind: 'not-a-score' };
    return { kind: 'score', score: n, reason: rest.length > 0 ? rest : null };
  }
  const word = /^(\p{L}+)[.!]*(?:\s+([\s\S]*))?$/u.exec(trimmed);
  if (word) {
    const n = WORDS[(word[1] ?? '').toLowerCase()];
    if (n === undefined) return { kind: 'not-a-score' };
    const rest = word[2]?.trim() ?? '';
    if (/\d/.test(rest)) return { kind: 'not-a-score' };
    return { kind: 'score', score: n, reason: rest.length > 0 ? rest : null };
  }
  return { kind: 'not-a-score' };
}

/**
 * A request to stop the texts inside a message that also gives the score ("8 ja lopettakaa
 * viestit", "Lopeta. 8", "9, please stop texting me"): the score counts, and so does the request.
 * Read piece by piece (sentences, clauses, "ja"/"and"/"och"…), each as parseCommand reads a whole
 * message, so only a request it would take alone counts ("The nurse said stop, 9" is none).
 */
import { parseCommand } from './reply-commands.ts';

/** A 0–10 number standing alone: blanked (same length) before the pieces are read. */
const SCORE_DIGITS = /(?<![\p{L}\p{N}])(?:10|[0-9])(?![\p{L}\p{N}])/gu;
const PIECE = /[^.,!?;:\n]+/gu;
const CONJUNCTION = /\s(?:ja|mutta|mut|sekä|and|but|och|men|so|joten)\s/iu;
/** Punctuation and a conjunction left at an edge once the request is cut out. */
const LEFT_AT_END = /[\s,.;:!?]*(?:(?<![\p{L}])(?:ja|mutta|mut|sekä|and|but|och|men|so|joten))?[\s,.;:!?]*$/iu;
const LEFT_AT_START = /^[\s,.;:!?]*(?:(?:ja|mutta|mut|sekä|and|but|och|men|so|joten)(?![\p{L}]))?[\s,.;:!?]*/iu;

/** The text with its stop requests cut out, or null when it holds none. */
export function withoutStopRequest(text: string): string | null {
  const blanked = text.replace(SCORE_DIGITS, (m) => ' '.repeat(m.length));
  const cuts: Array<[number, number]> = [];
  for (const m of blanked.matchAll(PIECE)) {
    let from = m.index;
    for (const part of m[0].split(CONJUNCTION)) {
      const at = blanked.indexOf(part, from);
      from = at + part.length;
      // (trimmed: the blanked score beside the request stays in the text)
      const start = at + part.length - part.trimStart().length;
      if (part.trim() && parseCommand(part.trim())?.kind === 'opt-out') cuts.push([start, at + part.trimEnd().length]);
    }
  }
  if (cuts.length === 0) return null;
  let rest = text;
  for (const [a, b] of cuts.reverse()) rest = `${rest.slice(0, a)} ${rest.slice(b)}`;
  return rest
    .replace(LEFT_AT_END, '')
    .replace(LEFT_AT_START, '')
    .replace(/\s{2,}/gu, ' ')
    .trim();
}

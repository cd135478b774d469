/**
 * A patient correcting the score they gave: "Ei kun 10", "Sori, piti olla 9", "Sorry, I meant 10",
 * "Förlåt, jag menade 10", "oho, väärä numero. 10". Read only once a score is stored (the survey
 * waits for the reason, or is complete): then these words before a score say that the new number
 * replaces the old one, and are no reason. Typing 1 for 10 is a common slip.
 */
import { parseScoreReply } from './score-parser.ts';

/** Words that say "what I wrote was wrong", at the start of a message, in any order and number. */
const CORRECTION_WORDS = [
  // apologies and interjections
  'oho+',
  'hups(?:is)?',
  'ups',
  'oops',
  'whoops',
  'sori',
  'sorry',
  'anteeksi',
  'anteks',
  'förlåt',
  'ursäkta',
  'pardon',
  'my bad',
  // Finnish
  'ei\\s*kun',
  'eikä\\s*kun',
  'ei\\s*vaan',
  'eiku',
  'korjaus',
  'korjaan',
  'korjaan\\s+vastaukseni',
  'piti\\s+olla',
  'pitää\\s+olla',
  'pitäis(?:i)?\\s+olla',
  'tarkoitin',
  'tarkotin',
  'tarkoitan',
  'oikeastaan',
  'väärä\\s+(?:numero|luku|arvosana)',
  '(?:näppäily|lyönti|kirjoitus)virhe',
  'painoin\\s+väärin',
  'kirjoitin\\s+väärin',
  // Swedish
  '(?:jag\\s+)?menade',
  '(?:jag\\s+)?menar',
  'rättelse',
  'egentligen',
  'ska\\s+vara',
  'skulle\\s+vara',
  'fel\\s+(?:siffra|nummer|betyg)',
  'skrev\\s+fel',
  // English
  'i\\s+meant',
  'meant',
  'i\\s+mean',
  'correction',
  'actually',
  'should\\s+(?:have\\s+been|be)',
  "should've\\s+been",
  'typo',
  'wrong\\s+(?:number|score)',
  'i\\s+typed\\s+(?:it\\s+)?wrong',
  'mistake',
];
const SEPARATOR = `[\\s,.:;!…–—-]*`;
const PREAMBLE = new RegExp(`^${SEPARATOR}(?:(?:${CORRECTION_WORDS.join('|')})(?![\\p{L}\\p{N}])${SEPARATOR})+`, 'iu');

/**
 * The new score and what follows it, when the message opens with words of correction and a score
 * comes after them ("Oikeastaan 10, hyvä palvelu" → 10, "hyvä palvelu"); null otherwise ("Ei kun
 * 2 tuntia jonossa" is a reason).
 */
export function readCorrection(text: string): { score: number; reason: string | null } | null {
  const opening = PREAMBLE.exec(text);
  if (!opening) return null;
  const rest = text.slice(opening[0].length).trim();
  if (!rest) return null;
  const parsed = parseScoreReply(rest);
  return parsed.kind === 'score' ? { score: parsed.score, reason: parsed.reason } : null;
}

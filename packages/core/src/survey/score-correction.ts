/**
 * A patient correcting the score they gave: "Ei kun 10", "Sori, piti olla 9", "Sorry, I meant 10",
 * "Förlåt, jag menade 10", "oho, väärä numero. 10". Once a score is stored (the survey waits for
 * the reason, or is complete) the new number replaces the old one; before, such words are no reason
 * beside the score. Typing 1 for 10 is a common slip. A misread score is far worse than a missed
 * correction, so only a score that stands alone after (or before) the words counts.
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
  'oj',
  'hoppsan',
  'sori',
  'sorry',
  'anteeksi',
  'antee?ks',
  'förlåt',
  'ursäkta',
  'pardon',
  'my bad',
  // Finnish
  'ei\\s*kun?',
  'eikä\\s*kun',
  'ei\\s*vaan',
  'korjaus',
  'korjaan(?:\\s+vastaukseni)?',
  'pit(?:i|ää|äis|äisi)\\s+olla',
  'piti\\s+(?:laittaa|kirjo(?:i)?ttaa|painaa|vastata)',
  'tarkoitin',
  'tarkotin',
  'tarkoitan',
  'oikeastaan',
  'oikeasti',
  'oikea\\s+vastaus\\s+on',
  'väärä\\s+(?:numero|luku|arvosana)',
  'väärin\\s+meni',
  '(?:näppäily|lyönti|kirjoitus)virhe',
  '(?:painoin|kirjoitin|näpytin)\\s+väärin',
  'yritin\\s+kirjo(?:i)?ttaa',
  '(?:oli\\s+)?tarkoitus(?:\\s+oli)?(?:\\s+laittaa)?',
  'muutan(?:\\s+(?:arvosanan|arvioni|arvion|vastaukseni|vastauksen))?',
  'vaihdan',
  '(?:haluan|voi(?:t|tte)ko|voisitteko)\\s+muuttaa',
  'muuttakaa',
  'muuta',
  // Swedish
  '(?:jag\\s+)?menade',
  '(?:jag\\s+)?menar',
  'rättelse',
  'egentligen',
  '(?:det\\s+)?(?:ska|skulle)\\s+vara',
  'fel(?:\\s+(?:siffra|nummer|betyg))?',
  'skrev\\s+fel',
  'rätt\\s+svar(?:\\s+är)?',
  'ändra(?:r)?\\s+till',
  // English
  'i\\s+meant(?:\\s+to\\s+(?:type|write|put|say|send))?',
  'meant(?:\\s+to\\s+(?:type|write|put|say|send))?',
  'i\\s+mean',
  'correction',
  'actually',
  '(?:it\\s+)?should\\s+(?:have\\s+been|be)',
  "(?:it\\s+)?should've\\s+been",
  'typo',
  'wrong\\s+(?:number|score)',
  'i\\s+typed\\s+(?:it\\s+)?wrong',
  'i\\s+fat\\s+fingered(?:\\s+it)?',
  'mistake',
  '(?:the\\s+)?correct\\s+score(?:\\s+is)?',
  '(?:(?:can|could)\\s+you\\s+)?(?:please\\s+)?change\\s+(?:it\\s+|my\\s+score\\s+)?to',
  'sry',
  'soz',
  'i\\s+ment',
  'ment',
];
/**
 * Only before the new score (an English probe's "actually make that a 6", "changed my mind, 6",
 * "scratch that, 9"): after a number they take it back ("10, scratch that").
 */
const OPENING_WORDS = [
  '(?:can\\s+i\\s+)?change\\s+(?:it|my\\s+answer|my\\s+score|my\\s+rating)\\s+to',
  'make\\s+(?:that|it)(?:\\s+an?)?',
  "(?:i(?:'ve|\\s+have)?\\s+)?changed\\s+my\\s+mind",
  'on\\s+second\\s+thoughts?',
  'scratch\\s+that',
];
const SEPARATOR = `[\\s,.:;!…–—-]*`;
const WORDS = `(?:${CORRECTION_WORDS.join('|')})(?![\\p{L}\\p{N}])`;
const OPENING = `(?:${[...CORRECTION_WORDS, ...OPENING_WORDS].join('|')})(?![\\p{L}\\p{N}])`;
const PREAMBLE = new RegExp(`^${SEPARATOR}(?:${OPENING}${SEPARATOR})+`, 'iu');
/** The same words after the score: "10 tarkoitin", "10, sorry", "10 I meant". */
const POSTSCRIPT = new RegExp(`(?:${SEPARATOR}${WORDS})+${SEPARATOR}$`, 'iu');
/**
 * Where a score ends and a reason after it begins: a comma, an exclamation mark, a full stop at the
 * end. Not a full stop before more words ("3. Kolmas kerta", "Oops 2. The doctor was late": an
 * ordinal, a count), a dash ("10 - 15 min" is a range), a colon or a semicolon ("3: parking,
 * queue" counts), a question mark ("0? En ymmärtänyt").
 */
const SCORE_ENDS = /\s*(?:[,!]|\.(?=\s*$))\s*/u;

/** Number words above the scale, which a score never has beside it ("ten, maybe eleven people"). */
const LARGER_NUMBER =
  /(eleven|twelve|thirteen|fourteen|fifteen|twenty|hundred|toista|kymmentä|sata|elva|tolv|tretton|fjorton|femton|tjugo|hundra)/iu;

/**
 * The score alone ("10", "ysi", "10/10", "täys kymppi", "10 not 1"), else null: one word, or two of
 * which the first is no number ("1 more", "10 pistettä" are not a score said alone).
 */
function bareScore(text: string): number | null {
  const words = text.trim().split(/\s+/u);
  const denied = /^\S+\s+(?:not|eikä|ei|inte)\s+\S+$/iu.test(text.trim()); // "10 not 1"
  if (!denied && (words.length > 2 || (words.length === 2 && /\d/u.test(words[0] as string)))) return null;
  const parsed = parseScoreReply(text.trim());
  return parsed.kind === 'score' && parsed.reason === null ? parsed.score : null;
}

/**
 * The new score and what follows it, when the message opens with words of correction and a score
 * stands alone after them, up to a comma or a full stop ("Oikeastaan 10, hyvä palvelu" → 10, "hyvä
 * palvelu"), or when such words follow a score alone ("10 tarkoitin"); null otherwise. A number that
 * runs on into words is never one: "Ei kun 2 tuntia jonossa", "Sorry, 3 things bothered me",
 * "Actually 7 in the morning is too early", "Ei kun hoitaja oli kymppi" are reasons.
 */
export function readCorrection(text: string): { score: number; reason: string | null } | null {
  const trimmed = text.trim();
  const opening = PREAMBLE.exec(trimmed);
  const rest = opening ? trimmed.slice(opening[0].length).trim() : trimmed;
  // The words after a lone score: "10 tarkoitin", "Sori, kymppi piti olla".
  const closing = POSTSCRIPT.exec(rest);
  if (closing && closing.index > 0) {
    const score = bareScore(rest.slice(0, closing.index));
    if (score !== null) return { score, reason: null };
  }
  if (!opening) return null;
  const cut = SCORE_ENDS.exec(rest);
  const head = cut ? rest.slice(0, cut.index) : rest;
  const score = head ? bareScore(head) : null;
  if (score === null) return null;
  const after = cut ? rest.slice(cut.index + cut[0].length).trim() : '';
  if (!after) return { score, reason: null };
  // Another number after it makes it a count, a range or a number said twice ("viis, tai kuus
  // tuntia", "3, ehkä 4 tuntia", "Sorry, 1, one more thing"): no correction.
  if (holdsNumber(after)) return null;
  const whole = parseScoreReply(`${head} ${after}`);
  return whole.kind === 'score' && whole.score === score ? { score, reason: whole.reason } : null;
}

/** Whether the words hold a number, in digits or in words ("15 min", "kuus tuntia", "one more"). */
function holdsNumber(words: string): boolean {
  if (/\p{N}/u.test(words) || LARGER_NUMBER.test(words)) return true;
  return words.split(/[\s,.;:!?]+/u).some((w) => w !== '' && parseScoreReply(w).kind === 'score');
}

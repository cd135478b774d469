/**
 * Numbers that measure something else on the patient, read before them: a pain scale (itself
 * 0–10, "Kipu 8/10"), a lab value or a weight ("Sokeri oli aamulla 9", "INR 3"), a child's age
 * ("Poika on 7 ja tyttö 9").
 */
import { CLAUSE_END, startsClause, type Token, wordAt } from './reply-tokens.ts';

/**
 * A pain or symptom scale, itself 0–10, opening the clause with its number just after ("Kipu
 * 8/10", "kipua 7", "Mun kipu on 7", "Hammaskipu 7", "VAS 6", "smärta 7/10", "pain was 9", "Kipu ennen 9");
 * not as the object of something else ("Helped with the pain 10", "Lääkäri hoiti kivut 10").
 */
const PAIN_WORD =
  /^(\p{L}*(?:kipu|kipua|kivut|kipuni|kivun|kipuja|särky|särkyä|säryt|smärta|smärtan|smärtor|värk|värken)|kipuasteikolla|kipuasteikko|vas|nrs|ahdistus|ahdistusta|pahoinvointi|pain|pains|ache|\p{L}+ache|hurts|hurt|hurting|anxiety|nausea)$/u;
const MY = /^(mun|minun|my|min|mitt|the)$/u;
/** Between a pain word and its number: a copula or a time ("Kipu on 6", "pain was 9", "Kipu ennen 9", "smärtan nu 2"). */
const PAIN_GAP = /^(on|oli|is|was|är|var|ennen|nyt|before|now|innan|nu|tänään|today|idag|like|about|around|an|a)$/u;
/** Where the pain is, before the pain word: "knee pain 7", "selkäkipu" is one word already. */
const BODY_PART =
  /^(knee|back|neck|head|tooth|stomach|chest|ear|shoulder|hip|leg|arm|polvi|selkä|niska|pää|hammas|vatsa|rinta|korva|olkapää|lonkka|jalka|knä|rygg|nacke|huvud|tand|mage|bröst|öra|axel|höft|ben)$/u;
/** True when the number at `i` is read on a pain scale: the pain word opens its clause, with at most a copula or a time between. */
export function painScaleBefore(tokens: Token[], i: number): boolean {
  let k = i - 1;
  while (k >= i - 3 && PAIN_GAP.test(wordAt(tokens, k))) k--;
  if (!PAIN_WORD.test(wordAt(tokens, k))) return false;
  if (startsClause(tokens, k, CLAUSE_END)) return true;
  // "my pain", "knee pain", "back pain" opening the clause ("Hoiti kivut 10", "Fixed toothache 10" are no pain scale).
  const before = wordAt(tokens, k - 1);
  return (MY.test(before) || BODY_PART.test(before)) && startsClause(tokens, k - 1, CLAUSE_END);
}

/** A measurement or lab value: "Sokeri oli aamulla 9", "Blodsockret var 8", "INR 3", "Vauva painaa nyt 8", "Syke 9". */
const MEASURE =
  /^(\p{L}*sokeri\p{L}*|\p{L}*sock(?:er|r)\p{L}*|inr|crp|hb|hemoglobiini\p{L}*|kolesteroli\p{L}*|syke|sykkeeni|pulssi|puls|pulsen|paino|painoni|painaa|pituus|lämpö|lämpöni|lämpötila|kuume|kuumetta|kuumeeni|saturaatio|happi|happiarvo|happisaturaatio|verenpaine\p{L}*|vikt|vikten|väger|längd|feber|febern|sugar|glucose|weight|weighs|pulse|fever|cholesterol|hemoglobin|haemoglobin|bmi)$/u;
/** A child whose age follows, with or without "on": "Poika on 7 ja tyttö 9", "Esikoinen 6", "Sonen 4", "Nuorin 3". */
const CHILD =
  /^(poika|poikani|tyttö|tyttöni|tytär|tyttäreni|vauva|vauvani|esikoinen|esikoiseni|nuorin|nuorimmainen|vanhin|kuopus|keskimmäinen|son|sonen|dotter|dottern|bebisen|äldsta|yngsta|daughter|baby|eldest|youngest|boy|girl)$/u;
/** Between the measured thing and its value: a copula, a time of day ("oli aamulla", "var nu"). */
const MEASURE_GAP = /^(on|oli|olivat|is|was|are|were|är|var|nu|nyt|now|aamulla|illalla|tänään|today|idag|painaa|väger|weighs)$/u;
export function measuredBefore(tokens: Token[], i: number, value: number): boolean {
  let k = i - 1;
  while (k >= i - 2 && MEASURE_GAP.test(wordAt(tokens, k)) && !MEASURE.test(wordAt(tokens, k))) k--;
  if (MEASURE.test(wordAt(tokens, k))) return true;
  // A child, below ten, opening its clause or its "and" ("Poika on 7 ja tyttö 9", "my son 8"); "Thank
  // you for looking after my son 9" thanks with a score.
  const opens = (j: number) => startsClause(tokens, j, CLAUSE_END) || /^(ja|and|och|sekä)$/u.test(wordAt(tokens, j - 1));
  const child = CHILD.test(wordAt(tokens, k)) && k >= i - 2 && value < 10;
  return child && (opens(k) || (/^(my|mun|minun|min|mitt)$/u.test(wordAt(tokens, k - 1)) && opens(k - 1)));
}

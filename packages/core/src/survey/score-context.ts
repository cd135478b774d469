/**
 * What around a number makes it something other than the score: a word before it ("klo 9",
 * "room 7", "alle 5"), a unit after it ("2 tuntia", "5 stars", "3 ggr"), a person it is the age or
 * count of ("My son is 8", "Meitä oli 5"), an appointment it is the hour of ("Aika oli 10").
 */
import { CLAUSE_END, startsClause, type Token, wordAt } from './reply-tokens.ts';
import { outOfTenAfter } from './score-doubt.ts';

/** Month names and their abbreviations: "3. maaliskuuta", "3 mars", "March 3" are dates. */
export const MONTH = new RegExp(
  [
    '(tammi|helmi|maalis|huhti|touko|kesä|kesa|heinä|heina|elo|syys|loka|marras|joulu)kuu\\p{L}*',
    'januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|okt',
    'january|february|march|may|june|july|august|october|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec',
  ]
    .join('|')
    .replace(/^/, '^(?:')
    .concat(')$'),
  'u',
);

/**
 * A word right before a number that makes it a time, a place, an id, a limit or a price, never
 * a score: "klo 9", "huone 5", "alle 5", "less than 8", "until 4", "maksoin 10".
 */
export const CONTEXT_BEFORE = new Set(
  [
    // times, places, ids
    'klo kello kl at huone huoneessa huoneeseen huoneesta room rum rummet nro nr numero number nummer vuonna år ikä age',
    'ålder sivu page bussi bussilla bus buss linja linjalla line kerros kerroksessa floor våning ovi door dörr luukku luukulle lucka',
    'luckan gate portti ward osasto avdelning jono jonossa vuoro vuoronumero klockan ticket cubicle bay bed sänky sänkyssä',
    'pöytä level säng platta queue kö kön nummerlapp kölapp lapp lappu hytti sali salissa vastaanotto vastaanotolla',
    // limits and comparisons, until and after
    'alle yli vähintään enintään melkein lähes than än kuin under over above below över minst högst least most nästan almost nearly',
    'ainakin korkeintaan maksimissaan max barely scarcely knappt nära lähellä',
    'until till tills by before after ennen efter före innan vasta',
    // clock times said in words: "puoli kymmenen" (9.30), "half nine", "quarter past 10", "halv tio", "varttia vaille 10"
    'puoli puol half quarter past halv kvart vartin varttia vaille',
    // prices
    'maksoi maksoin maksaa maksu maksua hinta betalade betala kostade kostar paid pay cost costs',
    // a pregnancy week's abbreviation: "rv 8", "vko 8"
    'rv vko vk',
    // references, invoices: "Viite 10", "Lasku 10"
    'viite viitenumero viitteellä lasku laskun laskussa laskulla invoice ref reference faktura fakturan referens',
  ]
    .join(' ')
    .split(' '),
);

/**
 * A word right after a number that makes it a duration, a count, money or a percentage
 * ("2 tuntia", "3 lasta", "30 min", "10 euroa"): not the score.
 */
export const UNIT_AFTER = new RegExp(
  [
    // durations and times
    'tun(ti|nin|nit|teja|tia|tii|tai|tiä|nissa|nista|neiksi|niksi)',
    'h|hr|hrs|min|mins|minsaa|minuut\\p{L}*|minuter|minut|sek\\p{L}*|sec|secs|seconds?|s',
    'pv|päivä\\p{L}*|paiva\\p{L}*|vrk|viik\\p{L}*|vko|vk|kk|kuukau\\p{L}*|kuuk',
    'vuo(si|tta|den|siksi|tias\\p{L}*)|v|vuot\\p{L}*|kuu(n|ta)?',
    'timm\\p{L}*|tim|dag\\p{L}*|dygn|veck\\p{L}*|månad\\p{L}*|år|års',
    "hours?|minutes?|days?|weeks?|months?|years?|yrs?|am|pm|a\\.m|p\\.m|o'clock|aamulla|illalla|aamupäivällä|iltapäivällä",
    // counts (Finnish counts take the partitive: "2 hoitajaa", "3 lasta")
    'kerta\\p{L}*|kerran|krt|kpl|lasta|lapsi|lapsen|henke\\p{L}*|hlö\\p{L}*|ihmistä|potilasta|hoitajaa|lääkäriä|hammasta|hampaita',
    'käyntiä|tablettia|pilleriä|piikkiä|rokotetta|näytettä|reseptiä|sivua|viestiä|puhelua|soittoa',
    'gång\\p{L}*|barn|barnen|personer|patienter|sköterskor|läkare|tänder|tabletter|sprutor|besök|samtal',
    'times|kids|children|people|persons|patients|doctors|nurses|teeth|pills|tablets|shots|visits|calls|messages',
    // a pregnancy week: "8 rv" (what a visit counts, "2 paikkaa", is COUNT_NOUN_AFTER's)
    'rv',
    // money, percentages, measures
    'euro\\p{L}*|eur|e|€|kr|kronor|dollars?|quid|pounds?|bucks|pund|senttiä|snt|prosent\\p{L}*|percent|procent|cm|kg|kilo|kiloa|kilos|kilon|grams?|grammaa|mg|ml|km|m|metri\\p{L}*',
    // until, after, by, about (a time): "4 asti", "9 jälkeen", "9 aikaan", "noin 9 maissa"; and dates: "3 mars"
    'asti|saakka|jälkeen|jalkeen|mennessä|mennessa',
    // "10 odotusta": ten waits, not a ten
    'odotusta|jonotusta|odottelua',
    MONTH.source.slice(4, -2),
  ]
    .map((alternatives) => `(?:${alternatives})`)
    .join('|')
    .replace(/^/, '^(?:')
    .concat(')$'),
  'u',
);

/**
 * What a dental or a nurse's visit counts, in the forms that follow a count ("2 paikkaa", "3
 * reikää", "2 fillings", "2 hål"), unless a negation follows ("10 tikkiä ei tarvittu", "10 stygn
 * behövdes inte": none, so the number is no count); see `countFollows`.
 */
export const COUNT_NOUN_AFTER =
  /^(paikkaa|paikkausta|reikää|kysymystä|annosta|tikkiä|piikkiä|rokotusta|juurihoitoa|kruunua|röntgenkuvaa|implanttia|ientaskua|\p{L}+hammasta|ongelmaa|asiaa|juttua|virhettä|kohtaa|fillings|cavities|questions|doses|stitches|sutures|jabs|injections|xrays|crowns|vaccines|vaccinations|scans|things|samples|prescriptions|vials|hål|stygn|frågor|doser|lagningar|plomber|vaccinationer|injektioner|röntgenbilder|saker|grejer|prover)$/u;
/**
 * Counted only as a list's heading or alone ("2 problems", "3 issues: parking, wait", "2 problem:
 * kön"): "9 problems with parking" is a 9 and its reason.
 */
export const LISTED_COUNT_AFTER = /^(problems|issues|problem|mistakes|errors|complaints|fel)$/u;
/** After a 1 only: the singular of what a visit counts ("1 hammas poistettiin", "1 kysymys vielä", "1 tooth pulled"). */
export const SINGLE_COUNT_AFTER =
  /^(paikkaus|reikä|hammas|kysymys|annos|tikki|piikki|tabletti|poisto|asia|juttu|ongelma|virhe|resepti|näyte|sana|viesti|tekstiviesti|filling|cavity|tooth|question|dose|stitch|jab|injection|xray|tablet|pill|thing|sample|prescription|shot|vial|word|message|text|tand|fråga|dos|spruta|sak|grej|prov|recept|ord|meddelande|sms)$/u;
/** "1 of the nurses", "2 av sköterskorna": some of a group, a count (not "9 of 10", another scale). */
export function someOf(tokens: Token[], last: number): boolean {
  const [next, then] = [wordAt(tokens, last + 1), wordAt(tokens, last + 2)];
  if (next !== 'of' && next !== 'av') return false;
  return /^(the|my|our|them|those|these|us|dem|oss|de|mina|våra)$/u.test(then) || (next === 'av' && /\p{L}{3,}(na|orna|erna)$/u.test(then));
}
/** After the count noun, a word that says there were none ("cavities none"), or "ei" with one ("ei löytynyt"). */
const NONE_WORD = /^(none|inga|inget|ingen)$/u;
const NONE_AFTER_EI = /^(löyty\p{L}*|tarvi\p{L}*|ollut|tullut)$/u;

/**
 * The count noun at `k` counts the number before it, unless the words after it say there were none
 * ("9 reikiä ei löytynyt", "10 stygn behövdes inte", "10 cavities none": a score); a negation about
 * something else keeps it a count ("2 fillings no pain", "3 tikkiä ei sattunut").
 */
export function countFollows(tokens: Token[], k: number): boolean {
  const [next, then] = [wordAt(tokens, k + 1), wordAt(tokens, k + 2)];
  if (NONE_WORD.test(next)) return false;
  if (next === 'ei' && NONE_AFTER_EI.test(then)) return false;
  return !(next === 'behövdes' && then === 'inte');
}

/**
 * A dose or a vaccine before a small number is its number ("annos 2", "Covid booster 2"); before 5
 * or more, or a score said plainly ("Rokote 10", "Rokote 10/10", "Rokote kymppi"), it is what the
 * score is for. A week before a number, first in the message, is a week ("vecka 8", "viikko 8");
 * anywhere else it is when ("Joka viikko 10", "Same week 9").
 */
export const DOSE_BEFORE =
  /^(\p{L}*annos|annoksen|\p{L}*rokote|\p{L}*rokotus|rokotteen|dose|dos|dosen|booster|boosteri|tehoste|piikki|pistos|spruta|sprutan|vaccine|vaccinet|vaccin|shot|jab)$/u;
export const WEEK_FIRST = /^(vecka|veckan|viikko|viikon|viikolla|week)$/u;
/** After "2." an ordinal of a dose: "2. annos", "3. rokote", "2. dos". */
export const DOSE_ORDINAL_AFTER = /^(annos|rokote|rokotus|tehoste|piikki|pistos|dos|dosen|dose|booster|sprutan?)$/u;
/**
 * After "2." in lower case, what an ordinal counts ("3. kerros", "2. käynti", "1. kerta", "2. lapsi",
 * "2. besöket", "3. gången", "2. time"); "9. Käynti oli nopea" starts a new sentence.
 */
export const ORDINAL_NOUN_AFTER =
  /^(kerros\p{L}*|kerrokse\p{L}*|käynti\p{L}*|käynni\p{L}*|kerta|kerralla|kerran|kertaa|jonossa|jonosta|viesti|tekstiviesti|message|text|meddelandet|sms|lapsi|lapseni|lapsen|luokka\p{L}*|luoka\p{L}*|luokkalai\p{L}*|raskau\p{L}*|besök\p{L}*|gången|gång|våningen|barnet|time|visit|floor|child|kid|pregnancy)$/u;
/** Glued to a word, a digit is part of it ("hmm2", "A4", "B12", "gr8", "covid19"), not "Kiitos10". */
const GLUED_NOT_SCORE = /^(\p{L}|gr|h+m+|bla+h*|blaa+|covid|korona|corona|lol)$/u;

/** A word right after a number that puts it on another rating scale ("3 tähteä", "5 stars"). */
export const OTHER_SCALE_AFTER = /^(tähte\p{L}*|tähti\p{L}*|tähde\p{L}*|stjärn\p{L}*|stars?|viidestä|neljästä|of|av|out)$/u;

/** After a number: the score's own unit ("9 pistettä", "9 poäng", "9 points"). */
export const SCORE_UNIT_AFTER = /^(pist\p{L}*|p|pts?|points?|poäng|poang|pinnaa|pinna)$/u;

/** Two words before a number that make it a limit or a time: "close to 10", "up to 8", "kvart i tio". */
const CONTEXT_PAIRS = new Set(['close to', 'up to', 'quarter to', 'kvart i', 'upp till', 'ten to', 'five to', 'twenty to']);

/** People whose age or number a copula gives: "My son is 8", "Min son är 9", "Meitä oli 5", "We were 4". */
const PERSON_BEFORE_COPULA =
  /^(son|sons|daughter|child|kid|baby|boy|girl|we|dotter|barn|bebis|pojke|flicka|vi|poika|poikani|tyttö|tyttöni|tytär|tyttäreni|lapsi|lapseni|vauva|vauvani|meitä|me|meit)$/u;
const COPULA = /^(is|was|were|are|turned|är|var|blev|fyller|on|oli|olimme|oltiin|täytti|täyttää)$/u;
/** Compound nouns of an id, a room or a queue ticket: "jonotusnumero 10", "vastaanottohuone 3", "väntrum 2". */
const CONTEXT_COMPOUND =
  /(numero|numeroni|nummer|nummerlapp|number|lapp|lappu|huone|huoneessa|rum|rummet|room|kerros|paikka|vuoro|raskausviik\p{L}*|graviditetsveck\p{L}*)$/u;

/**
 * A plural count opening the clause, right before the number or with "oli" between ("Hoitajia
 * oli 2", "Lapsia 3", "Reikiä 3", "Jonossa oli 5"); "Kiitän hoitajia 10" is a score.
 */
const COUNT_OPENER =
  /^(hoitajia|lääkäreitä|laakareita|potilaita|lapsia|odottajia|jonottajia|ihmisiä|ihmisia|asiakkaita|henkilöitä|reikiä|reikia|hampaita|paikkoja|tikkejä|piikkejä|rokotuksia|kysymyksiä|käyntejä|jonossa|edelläni|odottamassa)$/u;
const BE = /^(on|oli|olisi|ois|is|was|were|are|är|var|blev)$/u;
/** After a zero only, what there was none of, counted in the partitive or plural ("0 valittamista", "0 jonoa", "0 complaints"). */
const NONE_OF_AFTER_ZERO =
  /^(valittamista|valitettavaa|moitittavaa|moitteita|huomautettavaa|kritiikkiä|ongelmia|jonoa|odotusaikaa|complaints|problems|issues|klagomål|anmärkningar)$/u;
/** The same in the singular, only ending its clause ("0 wait", "0 väntetid"; "0 wait was awful" is a zero). */
const NONE_AT_CLAUSE_END = /^(wait|waiting|queue|jono|odotus|odotusaika|väntetid|väntan|kö|hassle|stress)$/u;
/** People ahead in a queue after a number ("Det var 5 före mig", "5 ahead of me", "5 ennen minua"). */
const AHEAD_AFTER = new Set([
  'före mig',
  'framför mig',
  'innan mig',
  'before me',
  'ennen minua',
  'ennen mua',
  'ahead of me',
  'ahead of us',
]);
/** Teeth are numbered 1–8: a grade word naming one, in the genitive before a procedure or before a verb done to it. */
const TOOTH_NOUN_AFTER = /^(paikkaus|paikkaukse\p{L}*|paikkaaminen|poisto|poiston|juurihoito\p{L}*)$/u;
const TOOTH_VERB_AFTER = /^(paikattiin|paikattu|poistettiin|poistettu|juurihoidettiin|lagad|lagades|drogs|utdragen|rotfylld)$/u;
const TOOTH_BEFORE = /^(ylä|ala|yläleuan|alaleuan|övre|nedre)$/u;
/** A tooth's own number after the jaw, in digits too ("Yläleuan 6"). */
const isToothNumber = (tokens: Token[], first: number, value: number) =>
  value >= 1 && value <= 8 && TOOTH_BEFORE.test(wordAt(tokens, first - 1));
const GENITIVE_GRADE = /^(ykkösen|kakkosen|kolmosen|nelosen|vitosen|kutosen|seiskan|kasin|ysin|kympin)$/u;
/** The hour of an appointment: "Ysin aika", "Kympin ajalle", "kasin vuoro"; "Ysin aika hyvä" is "quite good". */
const HOUR_AFTER = /^(ajalle|ajalla|aikaan|vuoro|vuoroon|vuorolle|bussi|bussilla)$/u;
const AFTER_HOUR_AIKA = /^(oli|on|mutta|mut|ja|varattu|venyi|myöhästyi|siirtyi)$/u;
const AFTER_ORDINAL = /^(tällä|tänä|this|i|in|on|för|for|kun|när|when|täällä|tässä|here|här|tänään|today|idag|jo|already|redan)$/u;
/** True when the clause ends before token `k`: nothing more, a boundary mark, or a new line. */
const clauseEndsAt = (tokens: Token[], k: number) => {
  const t = tokens[k];
  return !t || t.gap.includes('\n') || (t.kind === 'punct' && CLAUSE_END.has(t.text));
};

/**
 * A number that is plainly something else, though where a score could stand: a tooth, an hour, an
 * ordinal, a count, none of something, a place in a queue. Doubtful rather than ignored: another
 * number in the message with a different value makes it ambiguous ("Lapsia 3, nuorin 2", "Kasin
 * aika, pääsin sisään 9").
 */
export function doubtfulContext(tokens: Token[], first: number, last: number, value: number): boolean {
  const word = (k: number) => wordAt(tokens, k);
  const before = BE.test(word(first - 1)) ? first - 2 : first - 1;
  if (COUNT_OPENER.test(word(before)) && startsClause(tokens, before, CLAUSE_END)) return true;
  const [next, then] = [word(last + 1), word(last + 2)];
  if (value === 0 && (NONE_OF_AFTER_ZERO.test(next) || (NONE_AT_CLAUSE_END.test(next) && clauseEndsAt(tokens, last + 2)))) return true;
  if (AHEAD_AFTER.has(`${next} ${then}`) || AHEAD_AFTER.has(`${next} ${then} ${word(last + 3)}`) || next === 'edelläni') return true;
  // "3. kerros", "2. käynti", "2. besöket" as a phrase of their own ("9. käynti oli nopea" is a 9)
  const noun = tokens[last + 2];
  if (tokens[last + 1]?.text === '.' && noun?.text === noun?.lower && ORDINAL_NOUN_AFTER.test(then)) {
    return clauseEndsAt(tokens, last + 3) || AFTER_ORDINAL.test(word(last + 3)) || /^raskau/u.test(then);
  }
  if (isToothNumber(tokens, first, value)) return true;
  if (first !== last || tokens[first]?.kind !== 'word') return false;
  const grade = GENITIVE_GRADE.test(word(first));
  if (value <= 8 && (TOOTH_VERB_AFTER.test(next) || TOOTH_BEFORE.test(word(first - 1)) || (grade && TOOTH_NOUN_AFTER.test(next))))
    return true;
  return grade && (HOUR_AFTER.test(next) || (next === 'aika' && (clauseEndsAt(tokens, last + 2) || AFTER_HOUR_AIKA.test(then))));
}

/** A word before token `i` that makes a number there a time, a place, an id, a limit, an age: "klo 9", "kl. 9", "at nine", "March 3". */
export function contextBefore(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  if (!prev) return false;
  const prev2 = tokens[i - 2]?.lower ?? '';
  // "almost a 10", "nästan en tia": the word before the article.
  if (['a', 'an', 'en'].includes(prev.lower) && CONTEXT_BEFORE.has(prev2)) return true;
  if (prev.kind === 'word') {
    if (CONTEXT_BEFORE.has(prev.lower) || MONTH.test(prev.lower) || CONTEXT_PAIRS.has(`${prev2} ${prev.lower}`)) return true;
    if (prev.lower.length > 6 && CONTEXT_COMPOUND.test(prev.lower)) return true;
    // ("Poika on 10/10 tyytyväinen" rates: out of ten)
    const person = PERSON_BEFORE_COPULA.test(prev2) && !outOfTenAfter(tokens, i);
    return COPULA.test(prev.lower) && person;
  }
  return prev.text === '.' && prev.gap === '' && ['kl', 'klo', 'nr', 'nro', 'no'].includes(prev2);
}

/** Text-speak for "for" or "to" ("thx 4 asking", "Thanks 2 u", "tack 4 allt"): a 2 or 4 between these. */
const TEXT_SPEAK_BEFORE = /^(thx|thanks|thank|thankyou|tnx|ty|tack|tackar|cheers)$/u;
const TEXT_SPEAK_AFTER =
  /^(u|you|ya|ye|us|asking|askin|all|allt|alla|everything|that|it|dig|mig|oss|er|being|your|ur|the|helping|help|hjälpen)$/u;
/** Words around "kasi" that make it käsi (a hand) typed without umlauts. */
const HAND_BEFORE = /^(vasen|oikea|oikee|vasemman|oikean|vasenta|oikeaa|molemmat|kipeä|kipee|murtunut|loukkaantunut)$/u;
/** Right after it: "Kasi on kipeä", "kasi murtui", "kasi toimii taas", "Kasi kipsissä". */
const HAND_VERB =
  /^(on|oli|ei|murtui|murtunut|murtuneena|kipeä|kipee|kipeänä|kipsissä|kipsiin|kipsattiin|paketoitiin|sattuu|särkee|sarkee|turvonnut|turvoksissa|leikattiin|ommeltiin|tikattiin|sidottiin|toimii|parani|liikkuu|kolottaa)$/u;
/** A body part after "ja": "Kasi ja ranne". */
const BODY_PART = /^(ranne|ranteen|sormi|sormet|sormia|olkapää|kyynärpää|käsivarsi|kasivarsi|jalka|niska|selkä)$/u;
export function isHand(tokens: Token[], i: number): boolean {
  const word = (k: number) => wordAt(tokens, k);
  // ("Ihan oikea kasi": a proper 8, not the right hand)
  if (HAND_BEFORE.test(word(i - 1)) && !/^(ihan|aivan|tosi|todella)$/u.test(word(i - 2))) return true;
  if (HAND_VERB.test(word(i + 1))) return true;
  if ((word(i + 1) === 'ja' || word(i + 1) === 'sekä') && BODY_PART.test(word(i + 2))) return true;
  return word(i + 1) === 'tuli' && word(i + 2) === 'kuntoon';
}

/**
 * A digit run at `i` that is plainly part of something else: glued to an interjection or a letter
 * ("hmm2", "A4", "gr8"; not "Kiitos10" nor the emoticon ":D10"), the second number of a sum ("rv
 * 10+1", "8+3": weeks and days), or text-speak for "for"/"to" ("thx 4 asking", "Thanks 2 u",
 * "thank you 4 asking", "good 4 me").
 */
export function partOfSomethingElse(tokens: Token[], i: number, value: number): boolean {
  const at = (k: number) => tokens[k];
  const tok = at(i) as Token;
  const prev = at(i - 1);
  const lower = (k: number) => at(k)?.lower ?? '';
  if (prev?.kind === 'word' && tok.gap === '' && GLUED_NOT_SCORE.test(prev.lower) && at(i - 2)?.text !== ':') return true;
  if (prev?.text === '+' && tok.gap === '' && prev.gap === '' && at(i - 2)?.kind === 'num') return true;
  // The end of an address: "www.kela.fi/10", "kaiku.fi/9".
  if (prev?.text === '/' && tok.gap === '' && prev.gap === '' && at(i - 2)?.kind === 'word') return true;
  if (value !== 2 && value !== 4) return false;
  const thanks = TEXT_SPEAK_BEFORE.test(lower(i - 1)) || (/^(you|u)$/u.test(lower(i - 1)) && TEXT_SPEAK_BEFORE.test(lower(i - 2)));
  return (thanks && TEXT_SPEAK_AFTER.test(lower(i + 1))) || (lower(i - 1) === 'good' && lower(i + 1) === 'me');
}

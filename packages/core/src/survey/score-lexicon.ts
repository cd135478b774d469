/**
 * The words the score parser knows, in Finnish, Swedish and English, as patients write them:
 * number words, school-grade names, spoken and misspelt forms, labels and filler.
 * Everything is lower case; the parser lower-cases before looking up.
 */

/** Number words and grade names that may be read as a score wherever a digit could be. */
export const SCORE_WORDS: Readonly<Record<string, number>> = {
  // Finnish: numerals (written, spoken, without umlauts), grade names, their common inflections.
  kolmonen: 3,
  kolmosen: 3,
  nelonen: 4,
  nelosen: 4,
  vitonen: 5,
  vitosen: 5,
  kutonen: 6,
  kutosen: 6,
  seitsemän: 7,
  seitseman: 7,
  seittemän: 7,
  seitteman: 7,
  seiska: 7,
  seiskan: 7,
  seiskaa: 7,
  seitsikko: 7,
  kahdeksan: 8,
  kaheksan: 8,
  kahdeksikko: 8,
  kasi: 8,
  kasin: 8,
  kasii: 8,
  kasia: 8,
  yhdeksän: 9,
  yhdeksan: 9,
  yheksän: 9,
  yheksan: 9,
  yhdeksikkö: 9,
  ysi: 9,
  ysin: 9,
  ysii: 9,
  ysiä: 9,
  ysia: 9,
  kymmenen: 10,
  kymppi: 10,
  kymppii: 10,
  kympin: 10,
  kymppiä: 10,
  kymppia: 10,
  kymmpi: 10,
  kympi: 10,
  kybä: 10,
  // Swedish: numerals and grade nouns (en nia, en tia, full pott is handled as a phrase).
  två: 2,
  tva: 2,
  tvåa: 2,
  trea: 3,
  fyra: 4,
  fyran: 4,
  femma: 5,
  femman: 5,
  sexa: 6,
  sexan: 6,
  sju: 7,
  sjua: 7,
  sjuan: 7,
  åtta: 8,
  åttan: 8,
  atta: 8,
  nio: 9,
  nia: 9,
  nian: 9,
  tio: 10,
  tia: 10,
  tian: 10,
  // English.
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

/**
 * Words that are numbers but also ordinary words or counts ("one of the best", "two of us",
 * "viis siitä", "nolla odotusta", "en bra läkare"): a score only when the message is just that
 * word (with filler) or when a label or a scale makes it explicit ("I'd give it a two", "one out
 * of ten").
 */
export const STRICT_SCORE_WORDS: Readonly<Record<string, number>> = {
  nolla: 0,
  nollan: 0,
  noll: 0,
  zero: 0,
  nil: 0,
  yksi: 1,
  yks: 1,
  ykkönen: 1,
  ykkösen: 1,
  ett: 1,
  etta: 1,
  one: 1,
  kaksi: 2,
  kaks: 2,
  kakkonen: 2,
  kakkosen: 2,
  two: 2,
  kolme: 3,
  tre: 3,
  three: 3,
  neljä: 4,
  nelja: 4,
  four: 4,
  viisi: 5,
  viis: 5,
  fem: 5,
  five: 5,
  kuusi: 6,
  kuus: 6,
  sex: 6,
  six: 6,
};

/** Ordinals one letter away from a numeral; never read as a score ("kymmenes kerta"). */
export const NOT_SCORE_WORDS = new Set(['kymmenes', 'yhdeksäs', 'kahdeksas', 'seitsemäs', 'kuudes', 'viides', 'neljäs', 'tenth', 'ninth']);

/** Two-word phrases that mean the top score. */
export const TOP_SCORE_PHRASES: ReadonlyArray<readonly [string, string]> = [
  ['full', 'pott'],
  ['fullpott', ''],
  ['full', 'marks'],
  ['top', 'marks'],
  ['täydet', 'pisteet'],
  ['perfect', 'ten'],
];

/** Words that introduce a score: with one of them before it, a number is meant as the score. */
export const LABEL_WORDS = new Set([
  'arvosana',
  'kouluarvosana',
  'arvosanani',
  'arvosanaksi',
  'arvosanan',
  'arvio',
  'arvioni',
  'arvioksi',
  'annan',
  'antaisin',
  'annoin',
  'anna',
  'pisteet',
  'pisteitä',
  'pisteeni',
  'vastaus',
  'vastaukseni',
  'vastaan',
  'suosittelisin',
  'suosittelen',
  'betyg',
  'betyget',
  'betygsätter',
  'ger',
  'ge',
  'gav',
  'poäng',
  'svar',
  'svarar',
  'rating',
  'rate',
  'rated',
  'score',
  'grade',
  'give',
  'gave',
  'giving',
  'answer',
]);

/** Words that carry no meaning of their own around a score: greetings, thanks, glue words. */
export const FILLER_WORDS = new Set(
  [
    // Finnish
    'hei moi moikka terve heippa kiitos kiitti kiitoksia kiittäen paljon kovasti tosi terveisin ystävällisin on oli olisi ois',
    'mun mä minä minun mulla minulta multa se sen tämä tää että ja vaan vain no nyt ok okei okey oki joo juu jep kyllä ihan',
    'täys täysi täyden täydet tays taysi puhdas selvä vahva heikko sanoisin sanon kai varmaan siis ehkä noin tiedä hyvää päivää',
    'päivänjatkoa huomenta iltaa',
    // Swedish
    'hej hejsan hallå tack tackar så mycket hälsningar mvh jag det den är blir att en och stark svag klar helt säger säga skulle',
    'var mitt er kanske ungefär cirka ca typ absolut klart säkert definitivt vet från mig',
    // English
    "hi hello hey thanks thank you thx ty my is it its it's i i'd id i'll would will say a an the and solid strong easy",
    'easily definitely absolutely clear yes yeah well so regards cheers maybe probably about around was were know dunno from me',
  ]
    .join(' ')
    .split(' '),
);

/** Words that negate a score just before it: "ei kymppi", "inte en tia", "not a 10". */
export const NEGATION_WORDS = new Set(
  'ei eikä en et emme ette eivät inte ej icke aldrig ingen inget not never nope hardly tuskin knappast'.split(' '),
);

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
    'ålder sivu page bussi bussilla bus buss linja line kerros kerroksessa floor våning ovi door dörr luukku luukulle lucka',
    'luckan gate portti ward osasto avdelning jono vuoro vuoronumero',
    // limits and comparisons, until and after
    'alle yli vähintään enintään melkein lähes than än kuin under over above below över minst högst least most nästan almost nearly',
    'until till tills by before after ennen efter före innan',
    // prices
    'maksoi maksoin maksaa maksu maksua hinta betalade betala kostade kostar paid pay cost costs',
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
    // money, percentages, measures
    'euro\\p{L}*|eur|e|€|kr|kronor|dollars?|senttiä|snt|prosent\\p{L}*|percent|procent|cm|kg|mg|ml|km|m|metri\\p{L}*',
    // until, after, by (a time): "4 asti", "9 jälkeen"; and dates: "3 mars"
    'asti|saakka|jälkeen|jalkeen|mennessä|mennessa',
    MONTH.source.slice(4, -2),
  ]
    .map((alternatives) => `(?:${alternatives})`)
    .join('|')
    .replace(/^/, '^(?:')
    .concat(')$'),
  'u',
);

/** A word right after a number that puts it on another rating scale ("3 tähteä", "5 stars"). */
export const OTHER_SCALE_AFTER = /^(tähte\p{L}*|tähti\p{L}*|tähde\p{L}*|stjärn\p{L}*|stars?|viidestä|neljästä|of|av|out)$/u;

/** After a number: the score's own unit ("9 pistettä", "9 poäng", "9 points"). */
export const SCORE_UNIT_AFTER = /^(pist\p{L}*|p|pts?|points?|poäng|poang|pinnaa|pinna)$/u;

/** Swedish grade nouns ("en nia"), after which "en" is an article, not the Finnish "en" (I don't). */
export const SWEDISH_GRADE = /^(nolla|etta|tvåa|trea|fyra|fyran|femma|femman|sexa|sexan|sjua|sjuan|åtta|åttan|nia|nian|tia|tian)$/u;
/** Swedish words after which "en" is an article: "Jag ger en 9", "Det blir en 8", "Absolut en 10". */
export const SWEDISH_LABEL = new Set('ger gav ge är blir var jag absolut klart säkert definitivt nog kanske typ'.split(' '));
/** Adjectives between the Swedish article and a grade: "en stark 9", "en klar tia". */
export const SWEDISH_GRADE_ADJECTIVE = new Set(['stark', 'svag', 'klar', 'solklar', 'ren', 'riktig', 'säker', 'full']);
/** Partitive grade names: the object of a negated verb, on either side of it ("kymppiä en anna"). */
export const PARTITIVE = /^(kymppiä|kymppia|ysiä|ysia|kasia|seiskaa)$/u;
/** Words between a negation and the number that do not count towards its reach ("wouldn't give it a 10"). */
export const NEGATION_GLUE = new Set(
  'a an it the that this them even sille sitä edes ihan täysi täys täyden tays taysi puhdas selvä vahva det den er ens stark svag klar solid strong clear full perfect'.split(
    ' ',
  ),
);
/** A decimal said in words: "nio komma fem", "kasi pilkku viis", "nine point five". */
export const DECIMAL_WORDS = new Set(['komma', 'pilkku', 'point']);

/** The scale a rating is on, after "/", "out of", "av": "4/5", "nine out of ten", "4 viidestä". */
export const DENOMINATOR_WORDS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(['ten', 'tio', 'kymmenen', 'kymmenestä', 'kymmenesta'].map((w) => [w, 10])),
  ...Object.fromEntries(['five', 'fem', 'viisi', 'viidestä', 'viidesta'].map((w) => [w, 5])),
  ...Object.fromEntries(['four', 'fyra', 'neljä', 'neljästä'].map((w) => [w, 4])),
  ...Object.fromEntries(['hundred', 'sata', 'sadasta'].map((w) => [w, 100])),
};

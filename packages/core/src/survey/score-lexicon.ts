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
  täyskymppi: 10,
  täysikymppi: 10,
  kymmen: 10,
  kymmppi: 10,
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
  eigth: 8,
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
  ['fullt', 'betyg'],
  ['högsta', 'betyg'],
  ['toppbetyg', ''],
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
    'päivänjatkoa huomenta iltaa kysymästä eli tuli kokonaisuutena kaikkiaan kaiken yleisesti sille teille tietysti tietenkin totta',
    // Swedish
    'hej hejsan hallå tack tackar så mycket hälsningar mvh jag det den är blir att en och stark svag klar helt säger säga skulle',
    'var mitt er kanske ungefär cirka ca typ runt nog nå jo absolut klart säkert definitivt vet från mig för frågan utan tvekan totalt',
    // English
    "hi hello hey thanks thank you thx ty my is it its it's i i'd id i'll would will say a an the and solid strong easy",
    'easily definitely absolutely clear yes yeah well so regards cheers maybe probably about around was were know dunno from me',
    'them you overall honestly guess perfect hard to',
    // "ehdottomasti kymppi", "defo a 9", "kympin arvoinen": emphasis, not a reason
    'ehdottomasti ehdoton arvoinen arvoisen arvoista defo deffo def totally',
    // hedges: "Vaikea sanoa, ehkä 6", "Svårt att säga, 7", "Hard to say, 8"
    'vaikea vaikeaa sanoa svårt',
    // the scale's own words, copied from the question: "10 = erittäin todennäköisesti", "0 not at all likely"
    'erittäin todennäköisesti lainkaan alls sannolikt extremely likely very at all',
    // nothing to add: "ei mitään", "nothing"
    'mitään mitaan nothing nada',
    // thanks in the languages patients also write in (Arabic, Persian, Russian, Ukrainian, Estonian, Somali …): "10 شكرا"
    'شكرا شكراً ممنون مرسی merci спасибо дякую aitäh aitah tänan mahadsanid danke gracias grazie obrigado obrigada dziękuję kiitti',
    // …and the words that name the score in them, as "pistettä" does: "8 баллов", "نمره ۱۰"
    'балл балла баллов бал бали балів оценка оцінка امتیاز نمره درجة درجات نقطة نقاط',
    // greetings there: "Здравствуйте, 10", "سلام ۱۰"
    'здравствуйте привет вітаю سلام مرحبا درود',
  ]
    .join(' ')
    .split(' '),
);

/**
 * Manners of speaking that open with "if": "9 if I'm honest", "9 jos ollaan rehellisiä", "8 om jag
 * ska vara ärlig", "Kymppi, jos saan sanoa". Not a condition on the score, and not a reason for it.
 */
export const HONESTLY =
  /(?<!\p{L})(?:if (?:i'm|im|i am|we're|we are) (?:being )?honest|to be honest|jos (?:ollaan|oon|olen|olla) (?:nyt )?rehellisi[äa]|jos rehellisi[äa] ollaan|jos totta puhutaan|rehellisesti sanottuna|om jag ska vara ärlig|om (?:man|vi) ska vara ärlig[a]?|om sanningen ska fram|ärligt (?:talat|sagt)|jos saan sanoa|jos minulta kysytään|om jag får säga|om ni frågar mig|if i may say(?: so)?|if you ask me)(?!\p{L})/giu;

/** Words that negate a score just before it: "ei kymppi", "inte en tia", "not a 10". */
export const NEGATION_WORDS = new Set(
  'ei eikä en et emme ette eivät inte int ej icke aldrig ingen inget ingalunda not never nope hardly tuskin knappast'.split(' '),
);

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

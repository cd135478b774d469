/**
 * Numbers that are likely something else, though not surely, found by patient probes: such a
 * number is no score, and still makes a different one in the message ambiguous ("Front desk 10,
 * doctor 7" must not store the 7, nor "Kuten yleensä kymppi. Jonotin ehkä 5" the 5).
 */
import { type Token, wordAt } from './reply-tokens.ts';
import { measuredBefore } from './score-measure.ts';
import { numberWord } from './score-number.ts';

/**
 * Words after a number that make it likely a time said around it ("9 aikaan", "noin 9 maissa",
 * "nine thirty"): no score, and a different one in the message stays ambiguous.
 */
export const DOUBTFUL_TIME_AFTER = /^(aikaan|aikoihin|maissa|paikkeilla|pintaan|oclock|thirty|fifteen|forty|fortyfive)$/u;
/** Counts and durations, plainly that after a number below 10 ("3 ggr", "2 mån"; "10 st", "10 yo!" are as likely a 10). */
export const COUNT_AFTER_BELOW_TEN = /^(ggr|st|styck|stycken|mån|dgr|dar|wks|wk|mo|mos|mth|mths|yo|attempts|tries|tests|needles|floors)$/u;
/**
 * After a number below ten, a count or odds: plainly so after 1 or 2 ("2 thumbs up", "1 million
 * times better"), doubtful after more ("8 thumbs up" may be an 8); "10 thumbs up" is praise.
 */
export const SMALL_COUNT_AFTER = /^(thumbs|miles|mile|million|millions|thousand|hundred|tuhat|miljoonaa|miljoona)$/u;

/**
 * Words before a number that make it likely something else, though not surely (found by patient
 * probes): a time or a place ("vid 9", "Kontrolli 6", "Menin ratikalla 8", "route 10"), a fee, a
 * dose raised, a limit ("minimum 8"), a wait ("waited 2"), a day ("huomenna 9"). The number is no
 * score, and still makes a different one in the message ambiguous: "Front desk 10, doctor 7" must
 * not store the 7.
 */
const DOUBTFUL_BEFORE = new Set(
  [
    'vid kring från kontrolli kontrolliin kontrollissa labra labraan labrassa',
    'ratikka ratikalla raitiovaunu raitiovaunulla metrolla spårvagn spårvagnen tram avgift avgiften sairaslomaa saikkua tikit',
    'nostettiin laskettiin nostettu laskettu höjdes sänktes aged route flat apartment minimum maximum minus miinus',
    'tomorrow huomenna imorgon maanantaina tiistaina keskiviikkona torstaina perjantaina lauantaina sunnuntaina',
    'waited odotin jonotin väntade',
  ]
    .join(' ')
    .split(' '),
);
const DOUBTFUL_PAIRS = new Set([
  // people ahead, an appointment's hour: "Ennen minua 5", "Seuraava aika 10", "my number was 8"
  'ennen minua',
  'ennen mua',
  'före mig',
  'framför mig',
  'seuraava aika',
  'uusi aika',
  'next appointment',
  'number was',
  // short of it, a group's size, a tooth by its place: "shy of 10", "family of 4", "upper left 6"
  'short of',
  'shy of',
  'miles from',
  'family of',
  'party of',
  'group of',
  'upper left',
  'upper right',
  'lower left',
  'lower right',
  // someone else's grade, another time's: "my wife says 10", "next time 10", "everyone gives 10"
  'wife says',
  'husband says',
  'friend says',
  'everyone gives',
  'everybody gives',
  'kid says',
  'son says',
  'daughter says',
  'mom says',
  'dad says',
  'next time',
  'last time',
  'last year',
  'ensi kerralla',
  'viime kerralla',
  'viime vuonna',
  'nästa gång',
  'förra gången',
  'förra året',
]);
/** An appointment whose hour a copula gives: "Appointment was 10", "Mun aika oli 8", "Tiden var 10". */
const APPOINTMENT = /^(appointment|appt|slot|\p{L}*aika|\p{L}*aikani|ajanvaraus|\p{L}+tid|\p{L}*tiden)$/u;
const COPULA_WAS = /^(is|was|on|oli|är|var)$/u;
/** Teeth are numbered 1–8 in each quarter of the jaw: "tooth 8", "hammas 6" ("Fixed my tooth 10" is a 10). */
const TOOTH_WORD = /^(tooth|molar|incisor|premolar|hammas|hampaan|tand|tanden)$/u;
/** "usually a 10", "Yleensä 8": another visit's grade; "Kuten yleensä 10", "as usual 10" is this one's. */
const USUALLY = /^(usually|normally|generally|yleensä|tavallisesti|normaalisti|brukar|vanligtvis)$/u;
const AS = /^(kuten|kuin|niinku|niinkuin|as|som|like|niin)$/u;
/** "could have been a 10", "would've given 10": what it would have been. */
const WOULD_HAVE = /^(would|could|should|might|would've|could've|should've|might've)$/u;

/** An "out of ten" right after the number at `i` ("10/10", "10 av 10"): a score said as one, whatever came before. */
export function outOfTenAfter(tokens: Token[], i: number): boolean {
  const next = tokens[i + 1]?.lower ?? '';
  const then = next === 'out' ? tokens[i + 3] : tokens[i + 2];
  return ['/', 'of', 'av', 'out'].includes(next) && (then?.text === '10' || then?.lower === 'ten' || then?.lower === 'tio');
}

/** A word or words before token `i` that make a number there likely something else (see DOUBTFUL_BEFORE). */
export function doubtfulBefore(tokens: Token[], i: number, value: number): boolean {
  const prev = tokens[i - 1];
  if (!prev || outOfTenAfter(tokens, i)) return false;
  const word = (k: number) => wordAt(tokens, k);
  // the word before an article: "usually a 10", "could have been a 10"
  const k = ['a', 'an', 'en'].includes(prev.lower) ? i - 2 : i - 1;
  if (DOUBTFUL_BEFORE.has(word(k)) || DOUBTFUL_PAIRS.has(`${word(k - 1)} ${word(k)}`)) return true;
  // In digits, not out of ten: an appointment's hour or a wait ("Kontrolliaika 10", "Odotusaika 0", "Aika oli 10",
  // "Appointment was 10", "Tiden var 10"); "Odotusaika kymppi", "Aika oli 10/10" rate them.
  if (tokens[i]?.kind === 'num') {
    if (word(k).length > 6 && word(k).endsWith('aika')) return true;
    // ("Hela tiden var 10": all along)
    if (COPULA_WAS.test(word(k)) && APPOINTMENT.test(word(k - 1)) && word(k - 2) !== 'hela') return true;
  }
  if (TOOTH_WORD.test(word(k)) && value >= 1 && value <= 8) return true;
  // "near 10" (not "nowhere near 10", "not near 10": denials, read as such)
  if (word(k) === 'near' && !['nowhere', 'not'].includes(word(k - 1))) return true;
  if (USUALLY.test(word(k)) && !AS.test(word(k - 1))) return true;
  if (['been', 'given'].includes(word(k)) && ['have', 've'].includes(word(k - 1)) && WOULD_HAVE.test(word(k - 2))) return true;
  if (/^(would've|could've|should've)$/u.test(word(k - 1)) && ['been', 'given'].includes(word(k))) return true;
  if (measuredBefore(tokens, i, value)) return true;
  // "from 8 till 10", "from 9 to 11": the start of a span of time.
  if (prev.lower === 'from' && /^(to|till|until|-)$/u.test(tokens[i + 1]?.lower ?? '')) return true;
  // "seen at 5 to 9", "quarter past 9": a clock time after another number.
  return (prev.lower === 'to' || prev.lower === 'past') && (tokens[i - 2]?.kind === 'num' || numberWord(word(i - 2)) !== null);
}

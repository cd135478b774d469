import type { Language } from '../visit/language.ts';
import { languageRequested } from './language-request.ts';
import { prepareReply } from './reply-tokens.ts';

/**
 * Messages that control the survey rather than answer it: opting out, opting back in, switching
 * language. Each must be the whole message (politeness and punctuation aside), so that a reason
 * that merely mentions a language or the word "stop" is never mistaken for a command.
 */
export type ReplyCommand = { kind: 'opt-out' } | { kind: 'opt-in' } | { kind: 'switch-language'; language: Language };

/** Twilio's own opt-out words (Advanced Opt-Out defaults) and the Finnish and Swedish ones. */
export const OPT_OUT_WORDS = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout', 'lopeta', 'stopp', 'sluta'];
/**
 * Only these opt back in; a stray message never does. `starta` and `unstop` as well: README asks a
 * county to add STARTA to Twilio's opt-in words, and UNSTOP is one of Twilio's own (Kaiku reads
 * them also where Twilio does not mark the message).
 */
export const OPT_IN_WORDS = ['start', 'aloita', 'börja', 'starta', 'unstop'];

const POLITE = new Set(
  'please pls plz kiitos kiitti kiitoksia paljon kovasti tack så mycket gärna snälla vänligen thanks thank you thx hei moi moikka hej hejsan hi hello hey ok okei okay sorry sori anteeksi förlåt ursäkta'.split(
    ' ',
  ),
);

/** Opt-out heads: a message starting with one of these, followed only by OPT_OUT_OBJECT words. */
const OPT_OUT_HEADS: string[][] = [
  ...OPT_OUT_WORDS.filter((w) => w !== 'end' && w !== 'cancel').map((w) => [w]),
  ['stoppa'],
  ['stop', 'all'],
  ['opt', 'out'],
  ['lopettakaa'],
  ['lopetetaan'],
  ['avsluta'],
  // README asks a county to add POIS to Twilio's opt-out words: read alone, it opts out without Twilio too
  ['pois'],
  ['ottakaa', 'pois'],
  ['ota', 'pois'],
  ['ottakaa', 'mut', 'pois'],
  ['ota', 'mut', 'pois'],
  ['ottakaa', 'numeroni', 'pois'],
  ['poistakaa', 'mut'],
  ['poista', 'mut'],
  ['minut', 'pois'],
  ['mut', 'pois'],
  ['numero', 'pois'],
  ['numeroni', 'pois'],
  ['jättäkää', 'minut', 'pois'],
  ['jättäkää', 'mut', 'pois'],
  ['jag', 'vill', 'avsluta'],
  ['stryk', 'mig'],
  ['remove', 'me'],
  ['älä', 'lähetä'],
  ['älkää', 'lähettäkö'],
  ['älkää', 'enää', 'lähettäkö'],
  ['älä', 'enää', 'lähetä'],
  ['älä', 'laita'],
  ['älä', 'enää', 'laita'],
  ['älkää', 'laittako'],
  ['älkää', 'enää', 'laittako'],
  ['kan', 'ni', 'sluta'],
  ['kan', 'du', 'sluta'],
  ['kan', 'ni', 'snälla', 'sluta'],
  ['kan', 'du', 'snälla', 'sluta'],
  ['poista', 'numeroni'],
  ['poistakaa', 'numeroni'],
  ['poista', 'minut'],
  ['poistakaa', 'minut'],
  ['skicka', 'inte'],
  ['ta', 'bort', 'mitt', 'nummer'],
  ['ta', 'bort', 'mig'],
  ["don't", 'text'],
  ['dont', 'text'],
  ['do', 'not', 'text'],
  ["don't", 'send'],
  ['dont', 'send'],
  ['do', 'not', 'send'],
  ["don't", 'contact'],
  ["don't", 'message'],
  ['dont', 'message'],
  ['do', 'not', 'message'],
  ['do', 'not', 'contact'],
  ['remove', 'me'],
  ['remove', 'my', 'number'],
  ['i', 'want', 'to', 'unsubscribe'],
  ['avregistrera'],
  ['take', 'me', 'off'],
  ['leave', 'me', 'alone'],
  ['en', 'halua', 'osallistua'],
  ['jag', 'vill', 'inte', 'delta'],
  ['vill', 'inte', 'delta'],
  ['i', "don't", 'want', 'to', 'participate'],
  ['i', 'dont', 'want', 'to', 'participate'],
  ['i', 'do', 'not', 'want', 'to', 'participate'],
  // asked as a question or a request: "Miten voin lopettaa nämä kyselyt?", "Voitteko lopettaa viestit"
  ['miten', 'voin', 'lopettaa'],
  ['miten', 'lopetan'],
  ['miten', 'nämä', 'saa', 'loppumaan'],
  ['voitteko', 'lopettaa'],
  ['voisitteko', 'lopettaa'],
  ['voitko', 'lopettaa'],
  ['voisitko', 'lopettaa'],
  ['how', 'do', 'i', 'stop'],
  ['how', 'can', 'i', 'stop'],
  ['can', 'you', 'stop'],
  ['could', 'you', 'stop'],
  ['hur', 'slutar', 'jag'],
  ['hur', 'avslutar', 'jag'],
  ['ottakaa', 'minut', 'pois'],
  ['ota', 'minut', 'pois'],
  ['haluan', 'pois'],
  ['älkää', 'häiritkö'],
  ['älä', 'häiritse'],
  ['avbryt'],
  ['peruuta'],
  // an English probe's: "unsub", "opt me out", "dont msg me again", "delete my number", "enough with the texts"
  ['unsub'],
  ['opt', 'me', 'out'],
  ["don't", 'msg'],
  ['dont', 'msg'],
  ['do', 'not', 'msg'],
  ['delete', 'my', 'number'],
  ['delete', 'me'],
  ['enough', 'with'],
];
/** Heads that need an object ("en halua viestejä", not "en halua vastata"). */
const OPT_OUT_HEADS_WITH_OBJECT: string[][] = [
  ['en', 'halua'],
  ['en', 'halua', 'enää'],
  ['ei', 'enää'],
  ['ei', 'enempää'],
  ['jag', 'vill', 'inte', 'ha'],
  ['jag', 'vill', 'inte', 'ha', 'fler'],
  ['jag', 'vill', 'inte', 'få'],
  ['jag', 'vill', 'inte', 'längre', 'ha'],
  ['jag', 'vill', 'inte', 'längre', 'få'],
  ['vill', 'inte', 'längre', 'få'],
  ['i', 'do', 'not', 'want', 'to', 'get'],
  ['i', "don't", 'want', 'to', 'get'],
  ['i', 'dont', 'want', 'to', 'get'],
  ['inga', 'fler'],
  ['vill', 'inte', 'ha'],
  ['vill', 'inte', 'få'],
  ['skicka', 'inga'],
  ['no', 'more'],
  ['i', "don't", 'want'],
  ['i', 'dont', 'want'],
  ['i', 'do', 'not', 'want'],
  ["i'm", 'not', 'interested', 'in'],
  ['im', 'not', 'interested', 'in'],
  ['not', 'interested', 'in'],
];
const OPT_OUT_NOUNS = new Set(
  'näitä nää nämä tällaisia tällasia these dessa sådana viestit viestejä viestien viestiä tekstiviestit tekstiviestejä tekstiviestien kyselyt kyselyjä kyselyitä kyselyiden kyselyä kyselyihin kyselyyn viesteihin sms smsiä sms:iä tekstareita meddelanden meddelande sms:en enkäter enkäterna enkät messages message texts text surveys survey sms'.split(
    ' ',
  ),
);
const OPT_OUT_OBJECT = new Set([
  ...OPT_OUT_NOUNS,
  ...'it pois minut mut prenumeration prenumerationen postituslistalta listoilta jakelusta kyselyistä viesteistä näistä mina detta the tältä näiden lähettämisen spämmäys spämmiä spammia spam spamming er ert era vastata osallistua vastaanottaa saada i off your list lähettäminen lähettämistä lähettämään lähettämästä lähettäkö lähetä tekstaaminen jo heti nyt enää mulle minulle tänne tähän numeroon näitä nää nämä tämä tätä sitten skicka skickandet till mig mej fler några mer texting sending messaging contacting bothering me these this now any more anymore ever again to my number from all your list listalta från listan med smsa sms:a after one of msg msgs spamma spammandet spammet messa messandet texta textandet kontakta störa skriva spämmääminen spämmäämistä viestittely viestittelyä tekstailu nu genast längre hela tiden sånt sådant sådana här är ni stuff like tällaisten tällaista'.split(
    ' ',
  ),
]);

export function normaliseCommand(text: string): string {
  return prepareReply(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s:]+/gu, ' ')
    .replace(/(^|\s)'+|'+(\s|$)/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

function withoutPoliteness(words: string[]): string[] {
  let from = 0;
  let to = words.length;
  while (from < to && POLITE.has(words[from] as string)) from++;
  while (to > from && (POLITE.has(words[to - 1] as string) || (words[to - 1] === 'you' && words[to - 2] === 'thank'))) to--;
  return words.slice(from, to);
}

function startsWith(words: string[], head: string[]): boolean {
  return head.every((w, i) => words[i] === w);
}

/** "Ei kiitos, en halua näitä viestejä", "No thanks, stop", "Ei kiinnosta, älkää lähettäkö": a refusal before the opt-out. */
const REFUSALS = [
  ['ei', 'kiitos'],
  ['no', 'thanks'],
  ['no', 'thank', 'you'],
  ['nej', 'tack'],
  ['ei', 'kiinnosta'],
  ['not', 'interested'],
  ['inte', 'intresserad'],
  ['wrong', 'number'],
];
/** Glue before the opt-out: "Kiitos, mutta älkää lähettäkö enää", "Kiitos ei, ja …", "Mä en halua näitä viestejä". */
const LEAD = new Set(['mutta', 'mut', 'men', 'but', 'ja', 'och', 'and', 'ei', 'no', 'nej', 'mä', 'minä', 'mie']);

function isOptOut(words: string[]): boolean {
  const refusal = REFUSALS.find((r) => r.length < words.length && startsWith(words, r));
  if (refusal && isOptOut(words.slice(refusal.length))) return true;
  // One opt-out word, or the same said again: "STOP STOP", "lopeta lopeta".
  if (OPT_OUT_WORDS.includes(words[0] as string) && words.every((w) => w === words[0])) return true;
  for (const head of OPT_OUT_HEADS) {
    if (startsWith(words, head) && words.slice(head.length).every((w) => OPT_OUT_OBJECT.has(w))) return true;
  }
  for (const head of OPT_OUT_HEADS_WITH_OBJECT) {
    const rest = words.slice(head.length);
    if (startsWith(words, head) && rest.some((w) => OPT_OUT_NOUNS.has(w)) && rest.every((w) => OPT_OUT_OBJECT.has(w))) return true;
  }
  // "but pls stop sending these": glue, then politeness, then the request.
  return words.length > 1 && (LEAD.has(words[0] as string) || POLITE.has(words[0] as string)) && isOptOut(words.slice(1));
}

export function parseCommand(text: string): ReplyCommand | null {
  // A trailing colon is punctuation ("Kieli: ruotsi"); one inside a word is not ("sms:iä").
  const words = withoutPoliteness(
    normaliseCommand(text)
      .replace(/:(\s|$)/gu, '$1')
      .split(' ')
      .filter(Boolean),
  );
  if (words.length === 0 || words.length > 10) return null;
  if (isOptOut(words)) return { kind: 'opt-out' };
  // "START", "Aloita uudelleen", "Start again", "Börja igen"
  const again = words.length === 2 && /^(again|uudelleen|uudestaan|igen|om)$/u.test(words[1] as string);
  if ((words.length === 1 || again) && (OPT_IN_WORDS.includes(words[0] as string) || words[0] === 'borja')) return { kind: 'opt-in' };
  const language = languageRequested(words, (w) => POLITE.has(w));
  return language ? { kind: 'switch-language', language } : null;
}

/** Words that tell which language an opt-out or opt-in request was written in. */
const COMMAND_LANGUAGE_WORDS: Array<[Language, Set<string>]> = [
  ['sv', new Set('stopp sluta börja borja starta avsluta skicka inte vill mig mej fler inga listan avbryt dessa meddelanden'.split(' '))],
  [
    'fi',
    new Set(
      'lopeta lopettakaa aloita pois älä älkää halua enää viestejä poista poistakaa minut numeroni ottakaa haluan voitteko häiritkö peruuta'.split(
        ' ',
      ),
    ),
  ],
  [
    'en',
    new Set(
      "stop stopall unsubscribe cancel end quit revoke optout start unstop don't dont do not please remove me my no more texts messages".split(
        ' ',
      ),
    ),
  ],
];

/** The language an opt-out or opt-in request is written in ("STOPP": sv, "LOPETA": fi, "STOP": en), if it tells. */
export function commandLanguage(text: string): Language | null {
  const words = normaliseCommand(text).split(' ');
  for (const [language, known] of COMMAND_LANGUAGE_WORDS) if (words.some((w) => known.has(w))) return language;
  return null;
}

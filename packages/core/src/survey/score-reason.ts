/** What is left of a reply besides its score: filler, or a reason worth storing. */
import { prepareReply, type Token, tokenize } from './reply-tokens.ts';
import { FILLER_WORDS, HONESTLY, LABEL_WORDS, NEGATION_WORDS } from './score-lexicon.ts';

const INTERJECTION = /^(h+m+|m+|ö+h*|e+h*|u+h*|a+h+|o+h+|jaa+|noh|niin|plus|hah+a*|lol|xd+)$/u;
export function isFiller(t: Token): boolean {
  if (t.kind === 'punct' || t.kind === 'emoji') return true;
  if (t.kind === 'num') return false;
  const w = t.lower;
  return FILLER_WORDS.has(w) || LABEL_WORDS.has(w) || NEGATION_WORDS.has(w) || INTERJECTION.test(w);
}

/** True when every token in [from, to) is filler: punctuation, emoji, greetings, labels. */
export function onlyFiller(tokens: Token[], from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isFiller(tokens[k] as Token)) return false;
  return true;
}

/**
 * Words that say nothing more, beside a score or as the answer to "why?": nothing to add ("Ei
 * muuta", "No comment", "Inget att tillägga"), a courtesy ("Kiitos samoin", "You too", "Hyvää
 * joulua"), emphasis ("10 tietty", "Of course 10", "Självklart 10", "Let's say 9"). Only for
 * deciding what is a reason: the score is read without them.
 */
const SAYS_NOTHING = new Set(
  [
    'muuta kuin kommentteja kommenttia kommentoitavaa lisättävää lisättävä sanottavaa erityistä erikoista ole oo ollu ohitan noup',
    'samoin itsellenne vastauksesta joulua viikonloppua hyvää tietty tietysti tottakai totta kai ilman sanotaan laitetaan laitan',
    'comment comments add else more special pass n too same course obviously question doubt sure without think or let lets',
    "let's go with gotta be prob of for no problem tillägga kommentarer kommentar mer särskilt speciellt detsamma då nej inga",
    'självklart såklart förstås säger vi väl epäilystäkään ainakin vaikka men mutta mut but like vaan rather',
  ]
    .join(' ')
    .split(' '),
);
const saysNothing = (t: Token) => isFiller(t) || (t.kind === 'word' && SAYS_NOTHING.has(t.lower));

/** The message without the score and its label; null when only filler is left ("9 kiitos"). */
export function reasonOf(prepared: string, tokens: Token[], spans: Array<{ start: number; last: number }>): string | null {
  let out = '';
  let pos = 0;
  for (const s of [...spans].sort((x, y) => x.start - y.start)) {
    const from = (tokens[s.start] as Token).start;
    if (from < pos) continue;
    out += `${prepared.slice(pos, from)}\u0000`;
    pos = (tokens[s.last] as Token).end;
  }
  out += prepared.slice(pos);
  const cleaned = out
    // biome-ignore lint/suspicious/noControlCharactersInRegex: \u0000 marks where the score was cut out
    .replace(/[ \t]*([.,;:!?]*)[ \t]*(?:\u0000[ \t]*[.,;:!?]*[ \t]*)+/gu, (_m, left: string) => (left ? `${left} ` : ' '))
    .replace(/^[\s.,;:!?\-/=)]+/u, '')
    .replace(/[\s,;:\-/=(]+$/u, '')
    .trim();
  const unwrapped = /^\(.*\)$/su.test(cleaned) ? cleaned.slice(1, -1).trim() : cleaned;
  const rest = tokenize(unwrapped.replace(HONESTLY, ' '));
  if (rest.every(saysNothing)) return null;
  return unwrapped;
}

/**
 * Not feedback but puzzlement at the text itself: "mitä?", "en ymmärrä", "kuka lähetti tämän",
 * "what is this?", "vad är det här". (An acceptance run found them stored as comments.)
 */
const PUZZLED =
  /^(mitä|mita|mitäh|häh|hä|hmm+|mikä tämä on|mikä tää on|mikä tämä|mikä tää|kuka lähetti tämän|kuka tämä on|kuka olette|kuka olet|mistä on kyse|en ymmärrä|en tajua|what|huh|eh|what is this|whats this|what's this|who is this|who are you|who sent this|i dont understand|i don't understand|vad|va|vad är det här|vad är detta|vem är det|vem är du|vem skickade detta|jag förstår inte|förstår inte)$/u;

/** True when the text says something beyond greetings, thanks, labels, emoji and puzzlement. */
export function carriesContent(text: string): boolean {
  const tokens = tokenize(prepareReply(text));
  if (tokens.every(saysNothing)) return false;
  const words = tokens.filter((t) => t.kind === 'word').map((t) => t.lower);
  return !PUZZLED.test(words.join(' '));
}

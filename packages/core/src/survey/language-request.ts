import type { Language } from '../visit/language.ts';

// A request to switch language, as a whole message (parseCommand in reply-commands.ts).

const LANGUAGE_TARGETS: Record<string, Language> = {
  fi: 'fi',
  fin: 'fi',
  suomi: 'fi',
  suomeksi: 'fi',
  suomea: 'fi',
  suomen: 'fi',
  finska: 'fi',
  'på finska': 'fi',
  finnish: 'fi',
  'in finnish': 'fi',
  sv: 'sv',
  swe: 'sv',
  svenska: 'sv',
  'på svenska': 'sv',
  svensk: 'sv',
  ruotsi: 'sv',
  ruotsiksi: 'sv',
  ruotsia: 'sv',
  swedish: 'sv',
  'in swedish': 'sv',
  en: 'en',
  eng: 'en',
  english: 'en',
  'in english': 'en',
  englanti: 'en',
  englanniksi: 'en',
  englantia: 'en',
  engelska: 'en',
  'på engelska': 'en',
};
/** Words that may surround a language in a request: "voinko vastata ruotsiksi", "can I answer in English". */
const LANGUAGE_REQUEST = new Set(
  (
    'voinko voisinko voiko voitko voisitko voitteko voisitteko voisiko voi jos mieluiten kirjoita saanko saisinko saada tämän tätä haluan haluaisin vastata vastaan vastaisin vastaus tähän kirjoittaa kirjoittakaa kirjoitatteko ' +
    'lähettää lähettäkää lähetä viesti viestit kysely kyselyn mieluummin mielummin olisiko onko mahdollista vaihda vaihtakaa kieli kieleksi kielen kiitos ' +
    "can could may do i i'd we you answer reply respond write send get have it this the survey message messages text version would like to prefer is possible change switch language please instead " +
    'kan kunde jag ni du få svara skriva skriv skicka vill ha helst gärna meddelanden den enkäten frågan frågorna meddelandet finns det byt byta språk språket till tack istället'
  ).split(' '),
);
/** "I don't speak Finnish", "jag förstår inte finska": a request for the other language. */
const LANGUAGE_PHRASES: Array<[RegExp, Language]> = [
  [
    /^(i )?(don't|dont|do not|can't|cant|cannot) (speak|understand|read) (finnish|swedish|suomi|finska)( (or|and) (finnish|swedish))?( english)?$/u,
    'en',
  ],
  [/^(i )?(only )?(speak|understand) (only )?english( only)?$/u, 'en'],
  [/^(do|can) you (speak|write) english$/u, 'en'],
  [/^no (finnish|suomi)( english)?$/u, 'en'],
  [/^(jag )?(talar|pratar|förstår|kan|läser) inte finska( svenska)?$/u, 'sv'],
  [/^(talar|pratar|skriver|kan) (ni|du) svenska$/u, 'sv'],
  [/^(jag )?(talar|pratar|förstår) (bara )?svenska$/u, 'sv'],
  [/^(puhutteko|puhutko|osaatteko|kirjoitatteko) (englantia|suomea|ruotsia)$/u, 'fi'],
];

/** "En ymmärrä ruotsia", "En puhu englantia": the patient asks for Finnish. */
const NOT_UNDERSTOOD_FI = /^(mä |minä |mie )?en (ymmärrä|puhu|osaa|lue) (ruotsia|englantia)( (enkä|tai) (ruotsia|englantia))?$/u;

/**
 * The language a whole message asks for ("på svenska tack", "voinko vastata englanniksi", "I don't speak
 * Finnish"), or null; `words` are normalised, `isPolite` tells politeness that may stand around it.
 */
export function languageRequested(words: string[], isPolite: (word: string) => boolean): Language | null {
  const text = words.join(' ');
  if (NOT_UNDERSTOOD_FI.test(text)) return 'fi';
  for (const [pattern, language] of LANGUAGE_PHRASES) {
    if (pattern.test(text)) {
      if (language !== 'fi') return language;
      // "puhutteko englantia?" asks for the language named.
      const named = words[1] ?? '';
      return named.startsWith('englan') ? 'en' : named.startsWith('ruots') ? 'sv' : 'fi';
    }
  }
  let found: Language | null = null;
  for (let i = 0; i < words.length; i++) {
    const pair = `${words[i]} ${words[i + 1] ?? ''}`;
    const two = LANGUAGE_TARGETS[pair];
    const one = LANGUAGE_TARGETS[words[i] as string];
    const hit = two ?? one;
    if (hit) {
      if (found && found !== hit) return null;
      found = hit;
      if (two) i++;
      continue;
    }
    if (!LANGUAGE_REQUEST.has(words[i] as string) && !isPolite(words[i] as string)) return null;
  }
  return found;
}

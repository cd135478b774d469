export const UI_LANGUAGES = ['fi', 'en'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

const fi = {
  title: 'Kaiku – potilaspalaute',
  skip: 'Siirry sisältöön',
  heading: 'Potilaspalaute',
  intro: 'Suositteluindeksi (NPS) ja vastausaktiivisuus käyntipäivän mukaan. Alle {minN} vastauksen ryhmiä ei näytetä.',
  filters: 'Rajaus',
  from: 'Alkaen',
  to: 'Päättyen',
  unit: 'Yksikkö',
  service: 'Palvelu',
  all: 'Kaikki',
  show: 'Näytä',
  keyFigures: 'Tunnusluvut',
  nps: 'NPS',
  ci: '95 %:n luottamusväli',
  answers: 'Vastauksia',
  responseRate: 'Vastausaktiivisuus',
  commentShare: 'Avoimen palautteen osuus',
  targetShare: 'Tavoitteen ({target}) saavuttaneet yksiköt',
  coverage: 'Yksiköt, joilla vastauksia',
  trend: 'NPS kuukausittain',
  trendChart: 'Viivakaavio: NPS kuukausittain, luottamusväli ja tavoitetaso {target}. Samat luvut ovat taulukossa.',
  month: 'Kuukausi',
  target: 'Tavoite',
  units: 'Yksiköt NPS-järjestyksessä',
  unitsChart: 'Yksiköiden NPS ja 95 %:n luottamusväli; pystyviiva on tavoite {target}. Samat luvut ovat taulukossa.',
  suppressed: 'ei näytetä (alle {minN})',
  suppressedComplementary: 'ei näytetä (suojaus)',
  funnel: 'Kyselyn eteneminen',
  stage: 'Vaihe',
  count: 'Määrä',
  shareOfReceived: 'Osuus käynneistä',
  received: 'Käyntejä vastaanotettu',
  eligible: 'Kyselyyn sopivia',
  skipped: 'Ohitettu: {reason}',
  cancelled: 'Peruttu ennen lähetystä',
  sent: 'Lähetetty',
  delivered: 'Perillä',
  answered: 'Vastattu',
  commented: 'Vastauksessa perustelu',
  byAgeBand: 'Vastausaktiivisuus ikäryhmittäin',
  byLanguage: 'Vastausaktiivisuus kielittäin',
  ageBand: 'Ikäryhmä',
  language: 'Kieli',
  comments: 'Uusimmat avoimet palautteet',
  noComments: 'Ei näytettäviä palautteita tällä rajauksella.',
  promoter: 'suosittelija',
  passive: 'neutraali',
  detractor: 'arvostelija',
  downloads: 'Lataa CSV',
  noData: 'Ei vastauksia tällä rajauksella.',
  logout: 'Kirjaudu ulos',
  login: 'Kirjaudu',
  loginHeading: 'Kirjaudu Kaikuun',
  token: 'Käyttöoikeustunnus (CONSOLE_TOKEN)',
  loginFailed: 'Tunnus ei kelpaa. Tarkista se ja yritä uudelleen.',
  filtersInvalid: 'Rajaus ei kelpaa (alkaen {from}, päättyen {to}: {problem}). Luvut ovat oletusrajauksen mukaan.',
  switchLanguage: 'In English',
};
export type Strings = typeof fi;

const en: Strings = {
  title: 'Kaiku – patient feedback',
  skip: 'Skip to content',
  heading: 'Patient feedback',
  intro: 'Net Promoter Score (NPS) and response rates by visit day. Groups with fewer than {minN} answers are not shown.',
  filters: 'Filters',
  from: 'From',
  to: 'To',
  unit: 'Unit',
  service: 'Service',
  all: 'All',
  show: 'Show',
  keyFigures: 'Key figures',
  nps: 'NPS',
  ci: '95 % confidence interval',
  answers: 'Answers',
  responseRate: 'Response rate',
  commentShare: 'Answers with open feedback',
  targetShare: 'Units reaching the target ({target})',
  coverage: 'Units with answers',
  trend: 'NPS by month',
  trendChart: 'Line chart: NPS by month, confidence interval and the target {target}. The table has the same figures.',
  month: 'Month',
  target: 'Target',
  units: 'Units ranked by NPS',
  unitsChart:
    'NPS of each unit with its 95 % confidence interval; the vertical line is the target {target}. The table has the same figures.',
  suppressed: 'not shown (under {minN})',
  suppressedComplementary: 'not shown (protection)',
  funnel: 'Survey funnel',
  stage: 'Stage',
  count: 'Count',
  shareOfReceived: 'Share of visits',
  received: 'Visits received',
  eligible: 'Eligible',
  skipped: 'Skipped: {reason}',
  cancelled: 'Cancelled before sending',
  sent: 'Sent',
  delivered: 'Delivered',
  answered: 'Answered',
  commented: 'Answer with a reason',
  byAgeBand: 'Response rate by age band',
  byLanguage: 'Response rate by language',
  ageBand: 'Age band',
  language: 'Language',
  comments: 'Recent open feedback',
  noComments: 'No feedback to show for these filters.',
  promoter: 'promoter',
  passive: 'passive',
  detractor: 'detractor',
  downloads: 'Download CSV',
  noData: 'No answers for these filters.',
  logout: 'Log out',
  login: 'Log in',
  loginHeading: 'Log in to Kaiku',
  token: 'Access token (CONSOLE_TOKEN)',
  loginFailed: 'That token is not valid. Check it and try again.',
  filtersInvalid: 'These filters are not valid (from {from}, to {to}: {problem}). The figures are for the default filters.',
  switchLanguage: 'Suomeksi',
};

export const STRINGS: Record<UiLanguage, Strings> = { fi, en };

export function pickUiLanguage(query: unknown, acceptLanguage: string | undefined): UiLanguage {
  const asked = (query as { lang?: unknown } | undefined)?.lang;
  if (asked === 'fi' || asked === 'en') return asked;
  if (acceptLanguage && /^\s*en\b/i.test(acceptLanguage)) return 'en';
  return 'fi';
}

export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? `{${k}}`));
}

/** Numbers as people read them in the language: 0,255 → "25,5 %" in Finnish. */
export function formatShare(value: number | null | undefined, lang: UiLanguage): string {
  if (value === null || value === undefined) return '–';
  return `${(value * 100).toLocaleString(lang === 'fi' ? 'fi-FI' : 'en-GB', { maximumFractionDigits: 1 })} %`;
}

export function formatCount(value: number, lang: UiLanguage): string {
  return value.toLocaleString(lang === 'fi' ? 'fi-FI' : 'en-GB');
}

import { hetuFor } from '../../packages/core/src/visit/hetu.ts';

/** Units of the example county (config/kaiku.example.yaml) that each record system serves. */
export const LIFECARE_UNITS = ['1.2.246.10.2085212.10.1314', '1.2.246.10.2085212.10.1320', '1.2.246.10.2085212.10.1330'];
export const PEGASOS_UNITS = [
  '1.2.246.10.1234567.10.21',
  '1.2.246.10.1234567.10.22',
  '1.2.246.10.1234567.10.23',
  '1.2.246.10.1234567.10.24',
  '1.2.246.10.1234567.10.25',
  '1.2.246.10.1234567.10.26',
  '1.2.246.10.1234567.10.27',
  '1.2.246.10.1234567.10.28',
  '1.2.246.10.1234567.10.29',
];

export interface SimPatient {
  hetu: string;
  birthDate: string;
  family: string;
  given: string;
  /** Numbers as the record system holds them; `mobile: false` marks a landline. */
  phones: Array<{ number: string; mobile: boolean }>;
  language: string;
  nonDisclosure: boolean;
  deceased: boolean;
}

export interface SimEvent {
  kind: 'visit-ended' | 'visit-cancelled';
  eventId: string;
  visitId: string;
  endedAt: Date;
  unitId: string;
  patient: SimPatient;
  /** True for a second copy of an event already in the stream (a sender's resend). */
  duplicate: boolean;
}

export interface StreamOptions {
  visits: number;
  seed?: number;
  units?: string[];
  now?: Date;
  /** Prefix of visit and event ids, so that runs don't collide (default: the current time). */
  runId?: string;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same stream. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILIES = ['Mäkinen', 'Virtanen', 'Korhonen', 'Nieminen', 'Hämäläinen', 'Laine', 'Koskinen', 'Järvinen', 'Lehtonen', 'Öhman'];
const GIVEN = ['Aino', 'Eino', 'Sofia', 'Väinö', 'Ella', 'Oliver', 'Helmi', 'Leo', 'Linnea', 'Åke'];
const OTHER_LANGUAGES = ['en', 'en', 'en', 'ru', 'et', 'so', 'ar', 'uk'];

/**
 * A realistic stream of visit events: adults and some minors (about 8 %), about 87 % Finnish,
 * 5 % Swedish and 8 % other languages, several units, non-disclosures (1 %), landline-only
 * patients (4 %), two mobiles now and then (1 %), deaths (0.3 %), cancellations (3 %, after their
 * visit) and resent duplicates (2 %). Identity codes are from the test range (900–999).
 */
export function generateStream(options: StreamOptions): SimEvent[] {
  const rnd = seededRandom(options.seed ?? 1);
  const now = options.now ?? new Date();
  const units = options.units ?? LIFECARE_UNITS;
  const runId = options.runId ?? now.getTime().toString(36).toUpperCase();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const events: SimEvent[] = [];
  for (let i = 0; i < options.visits; i++) {
    const minor = rnd() < 0.08;
    const age = minor ? Math.floor(rnd() * 18) : 18 + Math.floor(rnd() * 75);
    const birth = new Date(now.getTime() - (age * 365.25 + rnd() * 360) * 86_400_000);
    const birthDate = birth.toISOString().slice(0, 10);
    const r = rnd();
    const language = r < 0.87 ? 'fi' : r < 0.92 ? 'sv' : pick(OTHER_LANGUAGES);
    const mobile = () => ({
      number: `${pick(['040', '050', '044', '045'])} ${100 + Math.floor(rnd() * 900)} ${1000 + Math.floor(rnd() * 9000)}`,
      mobile: true,
    });
    const phoneKind = rnd();
    const phones =
      phoneKind < 0.04
        ? [{ number: `09 ${1000 + Math.floor(rnd() * 9000)} ${1000 + Math.floor(rnd() * 9000)}`, mobile: false }]
        : phoneKind < 0.05
          ? [mobile(), mobile()]
          : [mobile()];
    const patient: SimPatient = {
      hetu: hetuFor(birthDate, 900 + Math.floor(rnd() * 100)),
      birthDate,
      family: pick(FAMILIES),
      given: pick(GIVEN),
      phones,
      language,
      nonDisclosure: rnd() < 0.01,
      deceased: rnd() < 0.003,
    };
    const visit: SimEvent = {
      kind: 'visit-ended',
      eventId: `SIM${runId}E${i}`,
      visitId: `SIM${runId}V${i}`,
      endedAt: new Date(now.getTime() - Math.floor(rnd() * 180) * 60_000),
      unitId: pick(units),
      patient,
      duplicate: false,
    };
    events.push(visit);
    if (rnd() < 0.02) events.push({ ...visit, duplicate: true });
    if (rnd() < 0.03) events.push({ ...visit, kind: 'visit-cancelled', eventId: `${visit.eventId}C` });
  }
  return events;
}

// A simulated day of visits in the example county, from the ingest simulators (scripts/simulate):
// Lifecare's units as HL7 v2 ER7 messages, Pegasos' units as FHIR R4 Bundles. Fictional people.
import {
  generateStream,
  LIFECARE_UNITS,
  lifecareMessage,
  PEGASOS_UNITS,
  pegasosBundle,
  type SimEvent,
  seededRandom,
} from '../simulate/index.ts';

export type Language = 'fi' | 'sv' | 'en';

/** A seeded PRNG with helpers, so a demo run is repeatable. */
export function createRandom(seed: number) {
  const next = seededRandom(seed);
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

/** A Finnish number as the record systems write it ("040 123 4567") in E.164. */
function e164(number: string): string {
  const digits = number.replace(/[^\d+]/g, '');
  return digits.startsWith('+') ? digits : `+358${digits.replace(/^0/, '')}`;
}

export interface DemoDay {
  lifecare: Buffer[];
  pegasos: Array<Record<string, unknown>>;
  visits: number;
  /** The language each texted number's patient reads, for answering in it. */
  languageByPhone: Map<string, Language>;
}

/**
 * `count` visits (half per record system; cancellations and resends come on top, as the
 * simulators make them) ending across the last ten hours.
 */
export function dayOfVisits(count: number, seed: number, now: Date, random: Random): DemoDay {
  const runId = `DEMO${now.getTime().toString(36).toUpperCase()}`;
  const lifecare = generateStream({ visits: Math.ceil(count / 2), seed, units: LIFECARE_UNITS, now, runId: `${runId}L` });
  const pegasos = generateStream({ visits: Math.floor(count / 2), seed: seed + 1, units: PEGASOS_UNITS, now, runId: `${runId}P` });
  // The simulators spread visits over three hours; a day in a health centre is longer.
  const endedAt = new Map<string, Date>();
  const spread = (events: SimEvent[]) =>
    events.map((e) => {
      if (!endedAt.has(e.visitId)) endedAt.set(e.visitId, new Date(now.getTime() - 5 * 60_000 - random.next() * 10 * 3600_000));
      return { ...e, endedAt: endedAt.get(e.visitId) as Date };
    });
  const languageByPhone = new Map<string, Language>();
  for (const e of [...lifecare, ...pegasos]) {
    const language = (['fi', 'sv', 'en'] as const).find((l) => l === e.patient.language) ?? 'fi';
    for (const phone of e.patient.phones) if (phone.mobile) languageByPhone.set(e164(phone.number), language);
  }
  return {
    lifecare: spread(lifecare).map((e) => lifecareMessage(e, now)),
    pegasos: spread(pegasos).map((e) => pegasosBundle(e)),
    visits: count,
    languageByPhone,
  };
}

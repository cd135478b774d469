// A simulated day of visits in a fictional county, as its two record systems would send them:
// Lifecare as HL7 v2.3 ADT^A03 (ER7, ISO-8859-1) and Pegasos as FHIR R4 Bundles. Fictional people.
import type { UnitConfig } from '../../packages/config/src/index.ts';

export type Language = 'fi' | 'sv' | 'en';

export interface DemoVisit {
  n: number;
  system: 'lifecare' | 'pegasos';
  unit: UnitConfig;
  endedAt: Date;
  hetu: string;
  birthDate: string;
  /** E.164, or null for a patient with a landline only. */
  mobile: string | null;
  language: Language;
  nonDisclosure: boolean;
}

const CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** A small deterministic PRNG, so a demo run is repeatable (mulberry32). */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

function makeHetu(birth: Date, individual: number): string {
  const dd = String(birth.getUTCDate()).padStart(2, '0');
  const mm = String(birth.getUTCMonth() + 1).padStart(2, '0');
  const year = birth.getUTCFullYear();
  const yy = String(year % 100).padStart(2, '0');
  const nnn = String(individual).padStart(3, '0');
  const sign = year >= 2000 ? 'A' : '-';
  return `${dd}${mm}${yy}${sign}${nnn}${CHECK[Number(`${dd}${mm}${yy}${nnn}`) % 31]}`;
}

/**
 * `count` visits that ended between `from` and `to`: both systems, every unit, about 8 % children,
 * 4 % without a mobile number, 1 % under non-disclosure; languages about 80 % fi, 12 % sv, 8 % en.
 */
export function generateDay(units: UnitConfig[], count: number, from: Date, to: Date, random: Random): DemoVisit[] {
  const visits: DemoVisit[] = [];
  const usedPhones = new Set<string>();
  for (let n = 0; n < count; n++) {
    const child = random.chance(0.08);
    const age = child ? random.int(0, 17) : random.int(18, 92);
    const birth = new Date(Date.UTC(to.getUTCFullYear() - age - 1, random.int(0, 11), random.int(1, 28)));
    let mobile: string | null = null;
    if (!random.chance(0.04)) {
      do mobile = `+358${random.pick(['40', '44', '45', '50'])}${String(random.int(0, 9_999_999)).padStart(7, '0')}`;
      while (usedPhones.has(mobile));
      usedPhones.add(mobile);
    }
    const r = random.next();
    visits.push({
      n,
      system: n % 2 === 0 ? 'lifecare' : 'pegasos',
      unit: random.pick(units),
      endedAt: new Date(from.getTime() + random.next() * (to.getTime() - from.getTime())),
      hetu: makeHetu(birth, 2 + n),
      birthDate: birth.toISOString().slice(0, 10),
      mobile,
      language: r < 0.8 ? 'fi' : r < 0.92 ? 'sv' : 'en',
      nonDisclosure: random.chance(0.01),
    });
  }
  return visits.sort((a, b) => a.endedAt.getTime() - b.endedAt.getTime());
}

const hl7Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
const LANGUAGE_NAME: Record<Language, string> = { fi: 'suomi', sv: 'ruotsi', en: 'englanti' };

/** The visit as Lifecare's ADT^A03 in ER7 (segments end in CR), for MLLP. */
export function toHl7(v: DemoVisit): string {
  const id = `DEMO${hl7Time(v.endedAt)}${String(v.n).padStart(5, '0')}`;
  const phone = v.mobile
    ? `${v.mobile.startsWith('+35840') && v.n % 3 === 0 ? `0${v.mobile.slice(4)}` : v.mobile}^PRN^CP`
    : '0912345678^PRN^PH';
  const start = new Date(v.endedAt.getTime() - 20 * 60_000);
  return [
    `MSH|^~\\&|LIFECARE|1.2.246.10.2085212.10.0|KAIKU|HVA|${hl7Time(v.endedAt)}||ADT^A03|${id}|P|2.3||||||8859/1`,
    `EVN|A03|${hl7Time(v.endedAt)}`,
    `PID|1||${v.hetu}^^^1.2.246.21^NNFIN||Demo^Potilas^^^^^L||${v.birthDate.replaceAll('-', '')}|U|||||${phone}||${v.language}^${LANGUAGE_NAME[v.language]}^1.2.246.537.5.40175`,
    ...(v.nonDisclosure ? ['PD1||||||||||||Y'] : []),
    `PV1|1|O|VAST1^^^${v.unit.id}||||T123456^Hoitaja^Demo|||YLE||||||||T11|DEMO${v.n}^^^1.2.246.10.2085212.10.0^VN||||||||||||||||||||${v.unit.id}|||||${hl7Time(start)}|${hl7Time(v.endedAt)}`,
  ].join('\r');
}

/** The visit as a Pegasos FHIR R4 Bundle (Encounter + Patient). */
export function toFhirBundle(v: DemoVisit) {
  const patientUrl = `urn:uuid:00000000-0000-4000-8000-${String(v.n).padStart(12, '0')}`;
  const start = new Date(v.endedAt.getTime() - 30 * 60_000);
  return {
    resourceType: 'Bundle',
    id: `demo-${v.n}`,
    type: 'collection',
    timestamp: v.endedAt.toISOString(),
    entry: [
      {
        fullUrl: `urn:uuid:00000000-0000-4000-9000-${String(v.n).padStart(12, '0')}`,
        resource: {
          resourceType: 'Encounter',
          id: `enc-demo-${v.n}`,
          identifier: [{ use: 'usual', system: 'urn:oid:1.2.246.10.1234567.10.0', value: `DEMO-${v.n}` }],
          status: 'finished',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
          serviceType: { coding: [{ system: 'urn:oid:1.2.246.537.6.49.201501', code: 'EE' }] },
          subject: { reference: patientUrl },
          period: { start: start.toISOString(), end: v.endedAt.toISOString() },
          serviceProvider: { identifier: { system: 'urn:oid:1.2.246.537.6.202.2008', value: v.unit.id }, display: v.unit.name.fi },
        },
      },
      {
        fullUrl: patientUrl,
        resource: {
          resourceType: 'Patient',
          id: `pat-demo-${v.n}`,
          ...(v.nonDisclosure
            ? {
                meta: {
                  security: [
                    { system: 'https://hl7.fi/fhir/finnish-base-profiles/CodeSystem/fi-base-security-label-cs', code: 'TURVAKIELTO' },
                  ],
                },
              }
            : {}),
          identifier: [{ use: 'official', system: 'urn:oid:1.2.246.21', value: v.hetu }],
          name: [{ family: 'Demo', given: ['Potilas'] }],
          telecom: v.mobile
            ? [{ system: 'phone', value: `${v.mobile.slice(0, 4)} ${v.mobile.slice(4, 6)} ${v.mobile.slice(6)}`, use: 'mobile' }]
            : [{ system: 'phone', value: '+358 9 123 4567', use: 'home' }],
          birthDate: v.birthDate,
          communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: v.language }] }, preferred: true }],
        },
      },
    ],
  };
}

import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The fictional county of the benchmark: enough units that reports have something to group. */
export const UNIT_COUNT = 40;
export const UNITS = Array.from({ length: UNIT_COUNT }, (_, k) => `1.2.246.10.2085212.10.${1400 + k}`);
const SERVICES = ['health-station', 'health-station', 'dental', 'maternity-clinic'] as const;
export const unitService = (k: number) => SERVICES[k % SERVICES.length] as string;

export const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
export const AUTH_TOKEN = 'bench-auth-token';
export const TWILIO_FROM = '+358451234567';
export const CONSOLE_TOKEN = 'bench-console-token';
export const TOKENS = { lifecare: 'bench-lifecare-token', pegasos: 'bench-pegasos-token' };

/** A KAIKU_CONFIG file: send at once, no quiet hours, limiter effectively off. */
export function writeKaikuConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kaiku-bench-'));
  const file = join(dir, 'kaiku.bench.json');
  const config = {
    timezone: 'Europe/Helsinki',
    units: UNITS.map((id, k) => ({
      id,
      name: { fi: `Penkkilän yksikkö ${k + 1}`, sv: `Bänkby enhet ${k + 1}`, en: `Benchfield unit ${k + 1}` },
      service: unitService(k),
      sensitive: false,
      sampling: 1,
    })),
    survey: { sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false, answerWindowDays: 7, resurveyAfterDays: 30, minAge: 18 },
    sending: { ratePerSecond: 1_000_000, concurrency: 100 },
    reporting: { minN: 5, targetNps: 60 },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** The i-th of ~18 million distinct valid hetus of adults born 1940–1999. */
export function hetu(i: number): { personalId: string; birthDate: string } {
  const day = 1 + (i % 28);
  const month = 1 + (Math.floor(i / 28) % 12);
  const year = 1940 + (Math.floor(i / 336) % 60);
  const individual = 2 + (Math.floor(i / 20_160) % 898);
  const dd = String(day).padStart(2, '0');
  const mm = String(month).padStart(2, '0');
  const yy = String(year % 100).padStart(2, '0');
  const nnn = String(individual).padStart(3, '0');
  const check = CHECK[Number(`${dd}${mm}${yy}${nnn}`) % 31];
  return { personalId: `${dd}${mm}${yy}-${nnn}${check}`, birthDate: `${year}-${mm}-${dd}` };
}

/** The i-th distinct Finnish mobile number, E.164. */
export const phone = (i: number) => `+35840${String(i % 10_000_000).padStart(7, '0')}`;

const LANGS = ['fi', 'fi', 'fi', 'fi', 'fi', 'fi', 'fi', 'fi', 'sv', 'en'] as const;

/** A canonical visit-ended event, i-th of the run `tag`, ended an hour ago. */
export function visitEvent(tag: string, i: number, endedAt: string) {
  const person = hetu(i);
  return {
    source: 'lifecare',
    sourceEventId: `${tag}-E${i}`,
    kind: 'visit-ended',
    visitId: `${tag}-V${i}`,
    endedAt,
    unit: { id: UNITS[i % UNIT_COUNT], name: `Penkkilän yksikkö ${(i % UNIT_COUNT) + 1}` },
    service: { class: 'SOTE9.2', type: 'T11' },
    patient: {
      personalId: person.personalId,
      birthDate: person.birthDate,
      mobilePhones: [phone(i)],
      languages: { service: LANGS[i % LANGS.length] },
      nonDisclosure: false,
      deceased: false,
      smsConsent: true,
    },
  };
}

export const anHourAgo = () => new Date(Date.now() - 3600_000).toISOString();

const helsinki = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Helsinki',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
/** Seconds already formatted (a load generator formats "now" and the visit's end for every message). */
const formatted = new Map<number, string>();

/**
 * Helsinki wall-clock time as HL7 TS (YYYYMMDDHHMMSS). One formatter for all calls, and the
 * seconds already formatted remembered: building an Intl.DateTimeFormat per call cost ~60 µs,
 * which made the MLLP load generator (two calls per message) a bottleneck of its own.
 */
export function hl7Time(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  const known = formatted.get(second);
  if (known !== undefined) return known;
  const parts = Object.fromEntries(helsinki.formatToParts(d).map((p) => [p.type, p.value]));
  const text = `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
  if (formatted.size >= 64) formatted.clear();
  formatted.set(second, text);
  return text;
}

/** An ADT^A03 (end of visit) as Lifecare sends it, modelled on the fixtures; segments end in CR. */
export function hl7A03(tag: string, i: number, endedAt: Date): string {
  const person = hetu(i);
  const now = hl7Time(new Date());
  const ended = hl7Time(endedAt);
  const unit = UNITS[i % UNIT_COUNT];
  return [
    `MSH|^~\\&|LIFECARE|1.2.246.10.2085212.10.0|KAIKU|HVA|${now}||ADT^A03|${tag}M${i}|P|2.3||||||8859/1`,
    `EVN|A03|${now}`,
    `PID|1||${person.personalId}^^^1.2.246.21^NNFIN||Testinen^Maija^^^^^L||${person.birthDate.replaceAll('-', '')}|F|||Testikatu 1^^Kyyjarvi^^43700^FIN^H||${phone(i)}^PRN^CP||fi^suomi^1.2.246.537.5.40175`,
    `PV1|1|O|VAST1^^^${unit}||||T123456^Laakari^Liisa|||YLE||||||||T11|${tag}H${i}^^^1.2.246.10.2085212.10.0^VN||||||||||||||||||||${unit}|||||${ended}|${ended}`,
  ].join('\r');
}

/** X-Twilio-Signature: base64 HMAC-SHA1 over the URL and the sorted form parameters. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}

/** An inbound-SMS webhook form as Twilio posts it. */
export function inboundForm(from: string, body: string, sid: string): Record<string, string> {
  return {
    ToCountry: 'FI',
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: body,
    FromCountry: 'FI',
    To: TWILIO_FROM,
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
  };
}

let sidCounter = 0;
export const messageSid = (tag: string) => `SM${tag}${(sidCounter++).toString(16).padStart(32 - tag.length, '0')}`.slice(0, 34);

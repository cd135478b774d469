// Helpers of the ops tests: real service processes (node services/<name>/src/main.ts) and visits.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS, type ServiceName } from '@kaiku/config';
import { waitFor } from '@kaiku/testing';

export const root = fileURLToPath(new URL('..', import.meta.url));

export const UNIT = '1.2.246.10.2085212.10.1314';
export const KEYS_ENV = {
  KAIKU_PSEUDONYM_KEY: Buffer.alloc(32, 21).toString('base64'),
  KAIKU_ENCRYPTION_KEY: Buffer.alloc(32, 22).toString('base64'),
};
export const KEYS = { pseudonymKey: Buffer.alloc(32, 21), encryptionKey: Buffer.alloc(32, 22) };

/** A KAIKU_CONFIG file that sends at once, day or night. */
export function writeTestConfig(sending: { ratePerSecond: number; concurrency: number } = { ratePerSecond: 100, concurrency: 10 }): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kaiku-ops-')), 'kaiku.json');
  writeFileSync(
    file,
    JSON.stringify({
      units: [
        {
          id: UNIT,
          name: { fi: 'Kyyjärven terveysasema', sv: 'Kyyjärvi hälsostation', en: 'Kyyjärvi health station' },
          service: 'health-station',
        },
      ],
      survey: { sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false },
      sending,
      reporting: { minN: 1 },
    }),
  );
  return file;
}

/** The sender's Twilio settings against an sms-sim at `simUrl` (status callbacks go nowhere: no replies service). */
export function senderTwilioEnv(simUrl: string, accountSid: string, authToken: string): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    TWILIO_FROM: '+358451234567',
    TWILIO_API_BASE_URL: simUrl,
    PUBLIC_BASE_URL: 'http://127.0.0.1:9',
  };
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Every line the process wrote (pino JSON, one object a line). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node services/<name>/src/main.ts` on a free port and waits until it listens. */
export async function startService(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS[name], `services/${name}/src/main.ts`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    listening = resolve;
  });
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (m) listening(m[1] as string);
      }
    });
  }
  const started = await Promise.race([
    url,
    exited.then(({ code }) => {
      throw new Error(`${name} exited (${code}) before listening:\n${lines.join('\n')}`);
    }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} did not listen:\n${lines.join('\n')}`)), 90_000)),
  ]);
  return {
    child,
    url: started,
    lines,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The port ingest's MLLP listener took (MLLP_PORT=0), read from its log. */
export function mllpPortOf(ingest: ServiceProcess): Promise<number> {
  return waitFor(
    () => {
      for (const line of ingest.lines) {
        const m = /"port":(\d+).*MLLP listener/.exec(line);
        if (m) return Number(m[1]);
      }
      return null;
    },
    10_000,
    'the MLLP port',
  );
}

const CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';
/** The i-th of many valid hetus of adults (born 1950–1999). */
export function hetu(i: number): string {
  const day = String(1 + (i % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0');
  const year = String(50 + (Math.floor(i / 336) % 50)).padStart(2, '0');
  const individual = String(2 + (Math.floor(i / 16_800) % 897)).padStart(3, '0');
  const digits = `${day}${month}${year}${individual}`;
  return `${day}${month}${year}-${individual}${CHECK[Number(digits) % 31]}`;
}

/** The i-th distinct Finnish mobile number, as a record system writes it and in E.164. */
export function phone(i: number): { local: string; e164: string } {
  const n = String(1_000_000 + i).slice(-7);
  return { local: `040 ${n.slice(0, 3)} ${n.slice(3)}`, e164: `+35840${n}` };
}

/** A canonical visit-ended event for the i-th patient, ended an hour ago. */
export function visit(i: number, tag: string, language: 'fi' | 'sv' | 'en' = 'fi') {
  return {
    source: 'lifecare',
    sourceEventId: `${tag}-E-${i}`,
    kind: 'visit-ended',
    visitId: `${tag}-V-${i}`,
    endedAt: new Date(Date.now() - 3600_000).toISOString(),
    unit: { id: UNIT, name: 'Kyyjärven terveysasema' },
    service: { class: 'SOTE9.2', type: 'T11' },
    patient: {
      personalId: hetu(i),
      mobilePhones: [phone(i).local],
      languages: { service: language },
      nonDisclosure: false,
      deceased: false,
      smsConsent: true,
    },
  };
}

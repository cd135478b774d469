import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type KaikuConfig, parseKaikuConfig } from '@kaiku/config';
import { hetuFor, type Keys, localDay, type VisitEvent, visitEventSchema, zonedInstant } from '@kaiku/core';
import { createPool, type Pool } from '@kaiku/db';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { buildIngestApp } from '../src/app.ts';
import { createIngestPipeline, type IngestPipeline } from '../src/pipeline.ts';

export const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);
export const UNITS = {
  kyyjarvi: '1.2.246.10.2085212.10.1314',
  karstula: '1.2.246.10.2085212.10.1320',
  kivijarvi: '1.2.246.10.2085212.10.1330',
  jarvikyla: '1.2.246.10.1234567.10.21',
  sensitive: '1.2.246.10.1234567.10.29',
  neverSampled: '1.2.246.10.1234567.10.90',
};
export const TOKENS = new Map([
  ['lc-token', 'lifecare'],
  ['pg-token', 'pegasos'],
  ['other-token', 'other'],
]);
export const keys: Keys = { pseudonymKey: Buffer.alloc(32, 3), encryptionKey: Buffer.alloc(32, 4) };
export const silent = pino({ level: 'silent' });

export function testConfig(survey: Record<string, unknown> = {}): KaikuConfig {
  const unit = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    name: { fi: `Yksikkö ${id.slice(-4)}` },
    service: 'health-station',
    ...extra,
  });
  return parseKaikuConfig({
    units: [
      unit(UNITS.kyyjarvi),
      unit(UNITS.karstula),
      unit(UNITS.kivijarvi, { service: 'dental' }),
      unit(UNITS.jarvikyla),
      unit(UNITS.sensitive, { service: 'other', sensitive: true }),
      unit(UNITS.neverSampled, { sampling: 0 }),
    ],
    survey,
  });
}

export function fixture(path: string): Buffer {
  return readFileSync(new URL(path, FIXTURES));
}

/**
 * A fresh identity code from the test range, different on every call: the test range has a
 * hundred individual numbers a day, so without a birth date of its own the hundred-and-first call
 * takes the next day of 1981 (a patient met twice would be skipped as recently surveyed).
 */
let calls = 0;
export function testHetu(birthDate?: string): string {
  const n = calls++;
  const day = birthDate ?? new Date(Date.UTC(1981, 0, 1 + Math.floor(n / 100))).toISOString().slice(0, 10);
  return hetuFor(day, 900 + (n % 100));
}

/** `YYYYMMDDHHMMSS` in Helsinki time, as Lifecare writes PV1-45. */
export function hl7Time(at: Date): string {
  return at.toLocaleString('sv-SE', { timeZone: 'Europe/Helsinki' }).replace(/[-: ]/g, '').slice(0, 14);
}

/**
 * A Lifecare fixture made current: fields set by `HL7-path → value` (e.g. `PV1-45`, `PID-3.1`,
 * `MSH-10`), everything else as recorded. Kept in ISO-8859-1 bytes.
 */
export function hl7With(name: string, fields: Record<string, string>): Buffer {
  const lines = fixture(`lifecare/${name}.hl7`).toString('latin1').split('\r').filter(Boolean);
  for (const [path, value] of Object.entries(fields)) {
    const m = /^([A-Z0-9]{3})-(\d+)(?:\.(\d+))?$/.exec(path);
    if (!m) throw new Error(path);
    const [, seg, f, c] = m as unknown as [string, string, string, string | undefined];
    const i = lines.findIndex((l) => l.startsWith(`${seg}|`));
    if (i < 0) throw new Error(`no ${seg} in ${name}`);
    const parts = (lines[i] as string).split('|');
    const index = seg === 'MSH' ? Number(f) - 1 : Number(f);
    while (parts.length <= index) parts.push('');
    if (c) {
      const comps = (parts[index] as string).split('^');
      while (comps.length < Number(c)) comps.push('');
      comps[Number(c) - 1] = value;
      parts[index] = comps.join('^');
    } else parts[index] = value;
    lines[i] = parts.join('|');
  }
  return Buffer.from(`${lines.join('\r')}\r`, 'latin1');
}

/** The adult A03 fixture made current: its own visit number, control id and patient, ended an hour ago (`fields` override). */
export function currentA03(fields: Record<string, string> = {}) {
  const visitId = uniqueId('LCV');
  const controlId = uniqueId('LCC');
  const bytes = hl7With('a03-adult-fi', {
    'MSH-10': controlId,
    'PV1-19.1': visitId,
    'PV1-45': hl7Time(new Date(Date.now() - 3600_000)),
    'PID-3.1': testHetu(),
    ...fields,
  });
  return { bytes, visitId, controlId };
}

let counter = 0;
export function uniqueId(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36).toUpperCase()}${counter}`;
}

export interface IngestHarness {
  env: TestEnv;
  pool: Pool;
  redis: Redis;
  queue: ReturnType<typeof createSurveySendQueue>;
  app: FastifyInstance;
  pipeline: IngestPipeline;
  url: string;
  cancelled: string[];
  close: () => Promise<void>;
}

export async function startIngest(kaiku = testConfig()): Promise<IngestHarness> {
  const env = await createTestEnv();
  const pool = createPool(env.databaseUrl, { max: 5 });
  const redis = createRedis(env.redisUrl, { failFast: true });
  await redis.connect();
  const queue = createSurveySendQueue(redis, env.prefix);
  const cancelled: string[] = [];
  const deps = { pool, kaiku, keys, logger: silent, onCancelled: (ids: string[]) => void cancelled.push(...ids) };
  const pipeline = createIngestPipeline(deps);
  const app = buildIngestApp({ ...deps, redis, tokens: TOKENS, pipeline });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    env,
    pool,
    redis,
    queue,
    app,
    pipeline,
    url,
    cancelled,
    close: async () => {
      await app.close();
      await queue.close();
      redis.disconnect();
      await pool.end();
      await env.cleanup();
    },
  };
}

export async function postJson(url: string, body: unknown, token = 'lc-token', contentType = 'application/json') {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: json as Record<string, unknown>, text };
}

export async function postHl7(url: string, bytes: Uint8Array, token = 'lc-token', contentType = 'x-application/hl7-v2+er7') {
  const res = await fetch(`${url}/v1/sources/lifecare/hl7`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: bytes,
  });
  const bytesBack = Buffer.from(await res.arrayBuffer());
  const ack = bytesBack.toString('latin1');
  const msa =
    ack
      .split('\r')
      .find((l) => l.startsWith('MSA|'))
      ?.split('|') ?? [];
  return { status: res.status, type: res.headers.get('content-type') ?? '', ack, code: msa[1], controlId: msa[2], text: msa[3] ?? '' };
}

export async function invitationOf(pool: Pool, source: string, visitId: string) {
  const { rows } = await pool.query(
    `SELECT i.*, v.language AS visit_language, v.age_band, v.patient_pseudonym FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id
     WHERE v.source = $1 AND v.source_visit_id = $2`,
    [source, visitId],
  );
  return rows[0] as Record<string, unknown> | undefined;
}

/** A parsed Lifecare visit-ended event an hour ago at Kyyjärvi, for calling the pipeline directly. */
export const endedEvent = (visitId: string, personalId = hetuFor('1975-05-05', 400)): VisitEvent =>
  visitEventSchema.parse({
    source: 'lifecare',
    kind: 'visit-ended',
    visitId,
    endedAt: new Date(Date.now() - 3600_000).toISOString(),
    unit: { id: UNITS.kyyjarvi },
    patient: { personalId, mobilePhones: ['040 123 4567'], languages: { service: 'fi' } },
  });

/**
 * A time of yesterday in Helsinki: visits a test means to fall on one local day (the same-day
 * rule) are placed there, never at "an hour ago" and "two hours ago", which straddle midnight for
 * part of every night.
 */
export function yesterdayAt(hour: number, minute = 0): Date {
  const [y, m, d] = localDay(new Date(Date.now() - 86_400_000), 'Europe/Helsinki')
    .split('-')
    .map(Number) as [number, number, number];
  return zonedInstant('Europe/Helsinki', y, m, d, hour, minute);
}

/** A canonical Lifecare visit-ended at Kyyjärvi yesterday at `hour`, for the patient with this hetu (a mobile, Finnish). */
export function visitYesterday(idPrefix: string, personalId: string, hour: number, patient: Record<string, unknown> = {}) {
  return {
    source: 'lifecare',
    kind: 'visit-ended',
    visitId: uniqueId(idPrefix),
    endedAt: yesterdayAt(hour).toISOString(),
    unit: { id: UNITS.kyyjarvi },
    patient: { personalId, mobilePhones: ['040 123 4567'], languages: { service: 'fi' }, ...patient },
  };
}

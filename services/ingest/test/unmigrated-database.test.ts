import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from '@kaiku/db';
import { createRedis } from '@kaiku/queue';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngestApp } from '../src/app.ts';
import { createIngestPipeline } from '../src/pipeline.ts';
import { hl7With, keys, silent, TOKENS, testConfig, testHetu, UNITS, uniqueId, yesterdayAt } from './helpers.ts';

/** Ingest against a database nobody has migrated yet (an ops probe: 200 on /readyz, then 500 on every visit). */
const { adminDatabaseUrl, redisUrl } = inject('kaikuTestServers');
const name = `kaiku_unmigrated_${randomBytes(4).toString('hex')}`;
let admin: Pool;
let pool: Pool;
let redis: Redis;
let app: FastifyInstance;

beforeAll(async () => {
  admin = createPool(adminDatabaseUrl, { max: 1 });
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  pool = createPool(url.toString(), { max: 2 });
  redis = createRedis(redisUrl, { failFast: true });
  await redis.connect();
  const deps = { pool, kaiku: testConfig(), keys, logger: silent };
  app = buildIngestApp({ ...deps, redis, tokens: TOKENS, pipeline: createIngestPipeline(deps) });
});
afterAll(async () => {
  await app.close();
  redis.disconnect();
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('ingest on a database that is not migrated', () => {
  it('is not ready, naming the migration, and answers 503 / AR "send again" instead of 500', async () => {
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.postgres).toMatch(/not migrated.*pnpm db:migrate/);
    const visit = {
      source: 'lifecare',
      kind: 'visit-ended',
      visitId: uniqueId('UV'),
      endedAt: yesterdayAt(14).toISOString(),
      unit: { id: UNITS.kyyjarvi },
      patient: { personalId: testHetu(), mobilePhones: ['040 123 4567'] },
    };
    const json = await app.inject({ method: 'POST', url: '/v1/visits', headers: { authorization: 'Bearer lc-token' }, payload: visit });
    expect(json.statusCode).toBe(503);
    expect(json.headers['retry-after']).toBeDefined();
    const hl7 = await app.inject({
      method: 'POST',
      url: '/v1/sources/lifecare/hl7',
      headers: { authorization: 'Bearer lc-token', 'content-type': 'x-application/hl7-v2+er7' },
      payload: hl7With('a03-adult-fi', { 'MSH-10': uniqueId('UC'), 'PV1-19.1': uniqueId('UV'), 'PID-3.1': testHetu() }),
    });
    expect(hl7.statusCode).toBe(503);
    expect(hl7.body).toMatch(/MSA\|AR\|/);
  });
});

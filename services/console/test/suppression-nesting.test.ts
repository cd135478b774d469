import { parseKaikuConfig } from '@kaiku/config';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleApp } from '../src/app.ts';
import { answers, seedVisits } from './seed.ts';

const unit = (n: number) => `1.2.246.10.98.10.${n}`;
const SERVICES: Record<number, 'health-station' | 'dental'> = {
  1: 'health-station',
  2: 'dental',
  4: 'health-station',
  5: 'health-station',
  6: 'health-station',
  9: 'dental',
};
const kaiku = parseKaikuConfig({
  units: Object.entries(SERVICES).map(([n, service]) => ({ id: unit(Number(n)), name: { fi: `Yksikkö ${n}` }, service })),
  reporting: { minN: 5 },
});
const TOKEN = 'nesting-test-token';

describe('small groups, units nested in services, sources and both', () => {
  let env: TestEnv;
  let pool: Pool;
  let app: FastifyInstance;
  const get = async (url: string) => (await app.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } })).json();

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    app = buildConsoleApp({ pool, kaiku, logger: pino({ level: 'silent' }), token: TOKEN });
    // Lifecare: units 1 (2 answers) and 4 (20), health stations, and 2 (10, dental); Pegasos: 5 (20) and 6 (15), health
    // stations, and 9 (20, dental).
    const of = (n: number, size: number, source: string) =>
      answers({ promoters: Math.ceil(size / 2), passives: 0, detractors: Math.floor(size / 2) }, () => ({
        unit: unit(n),
        service: SERVICES[n],
        source,
        day: '2026-03-10',
      }));
    await seedVisits(pool, [
      ...of(1, 2, 'lifecare'),
      ...of(4, 20, 'lifecare'),
      ...of(2, 10, 'lifecare'),
      ...of(5, 20, 'pegasos'),
      ...of(6, 15, 'pegasos'),
      ...of(9, 20, 'pegasos'),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await env?.cleanup();
  });

  it("hides unit 4 too: the report by source and service shows Lifecare's health stations, units 1 and 4 (a regression probe)", async () => {
    const period = 'from=2026-03-01&to=2026-03-31';
    const pairs = (await get(`/v1/reports/nps?${period}&groupBy=source,service`)).rows;
    expect(
      pairs.find((r: { key: Record<string, string> }) => r.key.source === 'lifecare' && r.key.service === 'health-station'),
    ).toMatchObject({
      n: 22,
      suppressed: false,
    });
    // The service line took unit 6 as unit 1's complement and the Lifecare line unit 2: unit 4 shown would give unit 1 back.
    const byUnit = (await get(`/v1/reports/nps?${period}&groupBy=unit`)).rows;
    const marks = Object.fromEntries(byUnit.map((r: { key: { unit: string }; suppression?: string }) => [r.key.unit, r.suppression]));
    expect(marks[unit(1)]).toBe('small-group');
    expect(marks[unit(4)]).toBe('complementary');
  });
});

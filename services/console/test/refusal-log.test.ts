import { Writable } from 'node:stream';
import { parseKaikuConfig } from '@kaiku/config';
import { createPool, type Pool } from '@kaiku/db';
import { loggerOptions } from '@kaiku/http';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleApp } from '../src/app.ts';

const kaiku = parseKaikuConfig({ units: [{ id: '1.2.246.10.99.10.1', name: { fi: 'Yksikkö 1' }, service: 'health-station' }] });
const TOKEN = 'refusal-log-test-token';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A quality manager's wrong password or a refused filter says why in the log, and nothing they typed. */
describe('the console’s refusals in the log', () => {
  let env: TestEnv;
  let pool: Pool;
  let app: FastifyInstance;
  const lines: string[] = [];
  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    app = buildConsoleApp({ pool, kaiku, logger: pino(loggerOptions('info', 'console'), sink), token: TOKEN });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await env?.cleanup();
  });

  it('names a wrong password, a refused filter and an unknown report parameter, without what was sent', async () => {
    expect((await app.inject({ method: 'POST', url: '/login', payload: 'token=040-1234567', headers: FORM })).statusCode).toBe(401);
    const signedIn = await app.inject({ method: 'POST', url: '/login', payload: `token=${TOKEN}`, headers: FORM });
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0] as string;
    expect((await app.inject({ url: '/?from=Virtanen&to=2026-01-01', headers: { cookie } })).statusCode).toBe(400);
    const report = await app.inject({ url: '/v1/reports/nps?Kaisa.Korhonen=1', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(report.statusCode).toBe(400);

    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request refused');
    expect(refused).toMatchObject([
      { status: 401, title: 'Unauthorized' },
      { status: 400, title: 'Invalid filters', field: 'from' },
      { status: 400, title: 'Invalid report query', field: '(unknown-parameter)' },
    ]);
    expect(lines.join('')).not.toMatch(/040-1234567|Virtanen|Korhonen/);
  });
});

// `pnpm demo` as a newcomer runs it (here on free ports, in a database of the test run's own):
// it must finish, print the NPS table and the console's URL, and leave real answers behind.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function runDemo(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/demo.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('pnpm demo', () => {
  let env: TestEnv;
  let database: string;

  beforeAll(async () => {
    env = await createTestEnv();
    database = new URL(env.databaseUrl).pathname.slice(1);
  });
  afterAll(async () => {
    await env.cleanup();
  });

  it('says exactly what to start when Postgres or Redis is not there', async () => {
    const { code, output } = await runDemo([], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/kaiku',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/PostgreSQL is not reachable at 127\.0\.0\.1:1 .*\n\s+Start it: /);
    expect(output).toMatch(/Redis is not reachable at 127\.0\.0\.1:1 .*\n\s+Start it: redis-server/);
  });

  it('stops the services it did start when one of them fails to start (none is left on its port)', { timeout: 300_000 }, async () => {
    const ports: Record<string, string> = {};
    for (const name of ['INGEST_PORT', 'MLLP_PORT', 'SENDER_PORT', 'REPLIES_PORT', 'CONSOLE_PORT', 'SMS_SIM_PORT']) {
      ports[name] = String(await freePort());
    }
    const { code, output } = await runDemo(['--visits', '10'], {
      ...ports,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      DEMO_DATABASE: database,
      DEMO_QUEUE_PREFIX: env.prefix,
      KAIKU_ENCRYPTION_KEY: 'short',
    });
    expect(code, output).toBe(1);
    expect(output).toMatch(/✗ \S+ stopped at start-up/);
    for (const port of [ports.CONSOLE_PORT, ports.SMS_SIM_PORT]) {
      const answered = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      );
      expect(answered, `a service still answers on ${port}`).toBe(false);
    }
  });

  it('feeds a day from both record systems, lets patients answer and prints the NPS table', { timeout: 300_000 }, async () => {
    const ports: Record<string, string> = {};
    for (const name of ['INGEST_PORT', 'MLLP_PORT', 'SENDER_PORT', 'REPLIES_PORT', 'CONSOLE_PORT', 'SMS_SIM_PORT']) {
      ports[name] = String(await freePort());
    }
    const { code, output } = await runDemo(['--visits', '120'], {
      ...ports,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      DEMO_DATABASE: database,
      DEMO_QUEUE_PREFIX: env.prefix,
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(/Lifecare, HL7 v2 over MLLP: \d+ messages .*: AA \d+/);
    expect(output).toMatch(/Pegasos, FHIR R4 over HTTP: \d+ messages .*: scheduled \d+/);
    expect(output).toMatch(/NPS by unit/);
    expect(output).toMatch(/all units\s+\d+\s+-?\d+/);
    expect(output).toContain(`Console:     http://127.0.0.1:${ports.CONSOLE_PORT}/`);

    const pool = createPool(env.databaseUrl);
    try {
      const one = async (sql: string) => Number((await pool.query<{ n: number }>(sql)).rows[0]?.n);
      const sent = await one('SELECT count(*)::int AS n FROM invitations WHERE sent_at IS NOT NULL');
      const answered = await one('SELECT count(*)::int AS n FROM responses');
      expect(await one("SELECT count(DISTINCT source)::int AS n FROM visits WHERE source IN ('lifecare', 'pegasos')")).toBe(2);
      expect(answered / sent).toBeGreaterThan(0.15);
      expect(answered / sent).toBeLessThan(0.45);
      expect(await one('SELECT count(DISTINCT language)::int AS n FROM responses')).toBeGreaterThanOrEqual(2);
      expect(await one('SELECT count(*)::int AS n FROM opt_outs')).toBeGreaterThanOrEqual(1);
      expect(await one("SELECT count(*)::int AS n FROM language_preferences WHERE language = 'sv'")).toBeGreaterThanOrEqual(1);
    } finally {
      await pool.end();
    }
  });
});

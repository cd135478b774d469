import { createPool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionsAllowed } from '../src/pool-size.ts';

const logger = pino({ level: 'silent' });

describe('sender pool size: from config, never more than its share of what Postgres allows', () => {
  let env: TestEnv;
  let usable = 0;
  beforeAll(async () => {
    env = await createTestEnv();
    const pool = createPool(env.databaseUrl, { max: 1 });
    const { rows } = await pool.query<{ usable: number }>(
      `SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
              - COALESCE(current_setting('reserved_connections', true)::int, 0) AS usable`,
    );
    usable = rows[0]?.usable ?? 0;
    await pool.end();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('keeps a configured size within a quarter of the usable connections', async () => {
    expect(usable).toBeGreaterThan(8);
    expect(await connectionsAllowed(env.databaseUrl, 2, logger)).toBe(2);
  });

  it('caps a size above that (the default max_connections = 100 with concurrency 100 was "too many clients")', async () => {
    expect(await connectionsAllowed(env.databaseUrl, usable, logger)).toBe(Math.floor(usable / 4));
  });

  it('keeps the configured size when Postgres cannot be asked at start-up', async () => {
    expect(await connectionsAllowed('postgres://postgres@127.0.0.1:1/none', 7, logger)).toBe(7);
  });
});

import { expect, inject, it } from 'vitest';
import { createPool } from '../src/pool.ts';

const { adminDatabaseUrl } = inject('kaikuTestServers');

it('a pool in the county’s time zone adds calendar days there: the answer window keeps its hour across the DST change', async () => {
  const helsinki = createPool(adminDatabaseUrl, { max: 1, timeZone: 'Europe/Helsinki' });
  try {
    expect((await helsinki.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows[0]?.tz).toBe('Europe/Helsinki');
    // Tuesday 20 October 12:00 in Helsinki, seven days on: 12:00 there again, after the clocks went back
    const { rows } = await helsinki.query<{ t: Date }>(`SELECT '2026-10-20T09:00:00Z'::timestamptz + make_interval(days => 7) AS t`);
    expect(rows[0]?.t.toISOString()).toBe('2026-10-27T10:00:00.000Z');
  } finally {
    await helsinki.end();
  }
});

it('keeps the county’s time zone when DATABASE_URL carries server settings of its own, and keeps those too', async () => {
  const url = new URL(adminDatabaseUrl);
  url.searchParams.set('options', '-c statement_timeout=4321 -c TimeZone=UTC');
  const pool = createPool(url.toString(), { max: 1, timeZone: 'Europe/Helsinki' });
  try {
    const { rows } = await pool.query<{ tz: string; timeout: string }>(
      "SELECT current_setting('TimeZone') AS tz, current_setting('statement_timeout') AS timeout",
    );
    expect(rows[0]).toEqual({ tz: 'Europe/Helsinki', timeout: '4321ms' });
  } finally {
    await pool.end();
  }
});

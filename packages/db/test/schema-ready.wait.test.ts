import { describe, expect, it } from 'vitest';
import { migrate } from '../src/migrate.ts';
import { createPool } from '../src/pool.ts';
import { LATEST_MIGRATION, untilSchemaReady } from '../src/schema-ready.ts';
import { withDatabaseBefore } from './database-before.ts';

// An upgrade probe: a new release's sender started before `pnpm db:migrate` took jobs at once.
describe('untilSchemaReady', () => {
  it('waits, saying why, while the newest migration is missing, and goes on once it is there', { timeout: 60_000 }, async () => {
    await withDatabaseBefore(`${LATEST_MIGRATION}`.slice(0, 14), async (_db, url) => {
      const pool = createPool(url, { max: 2 });
      try {
        const said: string[] = [];
        let done = false;
        const ready = untilSchemaReady(pool, { everyMs: 50, onWaiting: (why) => said.push(why) }).then((up) => {
          done = true;
          return up;
        });
        await new Promise((r) => setTimeout(r, 300));
        expect(done).toBe(false);
        expect(said).toEqual([`the database is not migrated (missing ${LATEST_MIGRATION}): run pnpm db:migrate`]);
        await migrate(url);
        expect(await ready).toBe(true);
        // Told to stop (a shutdown during the wait): says not to go on, even once the migrations are there.
        expect(await untilSchemaReady(pool, { stopped: () => true })).toBe(false);
      } finally {
        await pool.end();
      }
    });
  });
});

import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../src/migrate.ts';
import { createPool, isDatabaseUnavailable } from '../src/pool.ts';
import { LATEST_MIGRATION, SchemaNotReadyError, schemaReadyCheck } from '../src/schema-ready.ts';

describe('schema readiness', () => {
  it('names the last migration file (a new migration must update LATEST_MIGRATION)', () => {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(`${LATEST_MIGRATION}.sql`).toBe(files.at(-1));
  });

  it('is not ready on an empty database and ready once migrated; a missing table counts as unavailable', { timeout: 60_000 }, async () => {
    const { adminDatabaseUrl } = inject('kaikuTestServers');
    const name = `kaiku_unmigrated_${randomBytes(4).toString('hex')}`;
    const url = new URL(adminDatabaseUrl);
    url.pathname = `/${name}`;
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    // The services' pool: a client still closing when the database is dropped (pool.end() does not
    // wait for its socket) gets an error that nobody should have to catch (a CI run failed on it).
    const pool = createPool(url.toString(), { max: 2 });
    try {
      const ready = schemaReadyCheck(pool);
      await expect(ready()).rejects.toBeInstanceOf(SchemaNotReadyError);
      await expect(ready()).rejects.toThrow(/pnpm db:migrate/);
      const missing = await pool.query('SELECT * FROM invitations').catch((error) => error);
      expect(isDatabaseUnavailable(missing)).toBe(true);
      await migrate(url.toString());
      await expect(ready()).resolves.toBeUndefined();

      // A standby (here: the database set read-only): not ready, and its refused writes are "unavailable", not bugs.
      await admin.query(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
      const standby = createPool(url.toString(), { max: 1 });
      try {
        const refused = await standby.query('CREATE TABLE x (a int)').catch((error) => error);
        expect(refused.code).toBe('25006');
        expect(isDatabaseUnavailable(refused)).toBe(true);
        const check = schemaReadyCheck(standby);
        await expect(check()).rejects.toThrow(/read-only/);
        // writable again: the next check sees it at once (its read-only connection was not kept)
        await admin.query(`ALTER DATABASE "${name}" SET default_transaction_read_only = off`);
        await expect(check()).resolves.toBeUndefined();
      } finally {
        await standby.end();
      }

      // A database refusing connections (ALLOW_CONNECTIONS false: being recreated): unavailable, not a bug (a probe got 500).
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      const closed = createPool(url.toString(), { max: 1 });
      try {
        const refused = await closed.query('SELECT 1').catch((error) => error);
        expect(refused.code).toBe('55000');
        expect(isDatabaseUnavailable(refused)).toBe(true);
      } finally {
        await closed.end();
        await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      }
    } finally {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});

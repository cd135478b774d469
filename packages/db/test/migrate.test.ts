import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { migrate } from '../src/migrate.ts';

describe('pnpm db:migrate', () => {
  it('run three times at once on a database that does not exist yet: each succeeds, the schema is made once', {
    timeout: 60_000,
  }, async () => {
    const { adminDatabaseUrl } = inject('kaikuTestServers');
    const name = `kaiku_migrate_${randomBytes(4).toString('hex')}`;
    const url = new URL(adminDatabaseUrl);
    url.pathname = `/${name}`;
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    try {
      const runs = await Promise.allSettled([migrate(url.toString()), migrate(url.toString()), migrate(url.toString())]);
      expect(runs.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      const applied = runs.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      expect(new Set(applied).size).toBe(applied.length); // no migration applied twice
      expect(await migrate(url.toString())).toEqual([]);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});

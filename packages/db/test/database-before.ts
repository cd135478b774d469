import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { inject } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../src/migrate.ts';

/**
 * A database of its own, migrated to just before the migration whose file name starts with
 * `prefix` (the rows a county had then can be put in), for `use`; dropped afterwards.
 */
export async function withDatabaseBefore(prefix: string, use: (db: pg.Client, url: string) => Promise<void>): Promise<void> {
  const { adminDatabaseUrl } = inject('kaikuTestServers');
  const name = `kaiku_before_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  const db = new pg.Client({ connectionString: url.toString() });
  try {
    await migrate(url.toString());
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    db.on('error', () => {}); // (the clean-up below drops the database under it)
    await db.connect();
    await runner({
      dbClient: db,
      dir: MIGRATIONS_DIR,
      direction: 'down',
      count: files.length - files.findIndex((f) => f.startsWith(prefix)),
      migrationsTable: 'pgmigrations',
      log: () => {},
    });
    await use(db, url.toString());
  } finally {
    await db.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

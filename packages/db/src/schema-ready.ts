import type { Pool } from 'pg';

/**
 * The newest migration this code needs (a test keeps it equal to the last file in `migrations/`).
 * A service against a database without it is not ready: its SQL functions and tables may be missing.
 */
export const LATEST_MIGRATION = '1700000000850_message-sid-lookup';

/** Thrown when the database lacks the newest migration this code needs. */
export class SchemaNotReadyError extends Error {
  constructor() {
    super(`the database is not migrated (missing ${LATEST_MIGRATION}): run pnpm db:migrate`);
    this.name = 'SchemaNotReadyError';
  }
}

/** Thrown when the database takes no writes (a standby during a fail-over, or set read-only). */
export class ReadOnlyDatabaseError extends Error {
  constructor() {
    super('the database is read-only (a standby?): point DATABASE_URL at the primary');
    this.name = 'ReadOnlyDatabaseError';
  }
}

/**
 * A readiness check for `/readyz`: Postgres answers, takes writes and holds the newest migration.
 * Once seen, the migration is not looked up again: migrations are never taken back.
 */
export function schemaReadyCheck(pool: Pool): () => Promise<void> {
  let migrated = false;
  return async () => {
    // Writable too: a standby (or a database set read-only) answers every read and refuses every write.
    // A read-only connection is closed, not pooled again: it stays read-only after the database no
    // longer is, and a fresh one (the primary again, say) is what the next check should see.
    const client = await pool.connect();
    let readOnly = false;
    try {
      const { rows } = await client.query<{ read_only: string }>('SELECT current_setting($1) AS read_only', ['transaction_read_only']);
      readOnly = rows[0]?.read_only === 'on';
    } finally {
      client.release(readOnly);
    }
    if (readOnly) throw new ReadOnlyDatabaseError();
    if (migrated) return;
    const table = await pool.query<{ found: boolean }>(`SELECT to_regclass('pgmigrations') IS NOT NULL AS found`);
    if (!table.rows[0]?.found) throw new SchemaNotReadyError();
    const { rowCount } = await pool.query('SELECT 1 FROM pgmigrations WHERE name = $1', [LATEST_MIGRATION]);
    if (!rowCount) throw new SchemaNotReadyError();
    migrated = true;
  };
}

/**
 * Waits until the database holds the newest migration (and answers, and takes writes); `onWaiting`
 * with why and the seconds waited after the first `everyMs` without it, then once a minute; false
 * when `stopped()` says to give up (shutdown). A sender of a new release started before
 * `pnpm db:migrate` would otherwise send with SQL the old schema does not have (an upgrade probe).
 */
export async function untilSchemaReady(
  pool: Pool,
  options: { everyMs?: number; onWaiting?: (why: string, waitedSeconds: number) => void; stopped?: () => boolean } = {},
): Promise<boolean> {
  const everyMs = options.everyMs ?? 5000;
  const check = schemaReadyCheck(pool);
  let waited = 0;
  let told = -Infinity;
  for (;;) {
    let why: string;
    try {
      await check();
      return !options.stopped?.();
    } catch (error) {
      why = (error as Error).message;
    }
    if (options.stopped?.()) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    waited += everyMs;
    if (waited - told >= 60_000) {
      told = waited;
      options.onWaiting?.(why, Math.round(waited / 1000));
    }
  }
}
